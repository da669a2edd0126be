import { compileMcpTools, mcpOperationName, type McpListedTool } from './mcp-tool.js';

const listed = (name: string, annotations: McpListedTool['annotations'] = {}): McpListedTool => ({
  name,
  inputSchema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { q: { type: 'string' } } },
  annotations,
});

describe('MCP tools as operations', () => {
  it('keeps a valid name that fits, and makes any other valid, within 64 characters, the same each time', () => {
    expect(mcpOperationName('notes', 'read_note')).toBe('read_note');
    const made = mcpOperationName('notes', 'notes.search/v2');
    expect(made).toMatch(/^notes_search_v2_[0-9a-f]{8}$/);
    expect(mcpOperationName('notes', 'notes.search/v2')).toBe(made);
    const long = mcpOperationName('a-rather-long-tool-name', 'x'.repeat(60));
    expect(`a-rather-long-tool-name__${long}`).toHaveLength(64);
    expect(long).toMatch(/^x+_[0-9a-f]{8}$/);
    // Names that only differ past the cut keep apart.
    expect(mcpOperationName('t', `${'y'.repeat(70)}1`)).not.toBe(mcpOperationName('t', `${'y'.repeat(70)}2`));
  });

  it('pins the input schema without its dialect, idempotent when read-only or idempotent by its annotations', () => {
    const operations = compileMcpTools('notes', [listed('read', { readOnlyHint: true }), listed('put', { idempotentHint: true }), listed('send', { destructiveHint: true })], new URL('https://notes.example/mcp'));
    expect(operations.map(({ name, method, path, idempotent, mcpTool }) => ({ name, method, path, idempotent, mcpTool }))).toEqual([
      { name: 'read', method: 'post', path: '/mcp', idempotent: true, mcpTool: 'read' },
      { name: 'put', method: 'post', path: '/mcp', idempotent: true, mcpTool: 'put' },
      { name: 'send', method: 'post', path: '/mcp', idempotent: false, mcpTool: 'send' },
    ]);
    expect(operations[0]!.inputSchema).toEqual({ type: 'object', properties: { q: { type: 'string' } } });
  });

  it('refuses a server with no tools, names that land on one, and a tool name that leaves no room', () => {
    const endpoint = new URL('https://notes.example/mcp');
    expect(() => compileMcpTools('notes', [], endpoint)).toThrow('lists no tools');
    expect(() => compileMcpTools('notes', [listed('same'), listed('same')], endpoint)).toThrow('operation names repeat: same');
    expect(() => compileMcpTools('n'.repeat(60), [listed('a')], endpoint)).toThrow('leaves no room');
  });
});
