import { ToolCatalog } from './find-tools.js';

const entries = [
  { name: 'billing__refundInvoice', description: 'Give the money back', tags: [] },
  { name: 'billing__listInvoices', description: 'Invoices of a customer', tags: ['billing'] },
  { name: 'crm__getCustomer', description: 'One customer by id', tags: ['customers'] },
  { name: 'crm__updateCustomer', description: 'Change a customer record', tags: ['customers'] },
  { name: 'ops__restart_server', description: 'Restart a host', tags: ['infrastructure'] },
];
const found = (answer: string) => (JSON.parse(answer) as { tools: { name: string }[] }).tools.map((tool) => tool.name);

describe('the tool catalog find_tools searches', () => {
  it('finds operations by the words of their camelCase or snake_case names, their descriptions and their tags', () => {
    expect(found(new ToolCatalog(entries, 10).find('refund'))[0]).toBe('billing__refundInvoice');
    expect(found(new ToolCatalog(entries, 10).find('restart server'))[0]).toBe('ops__restart_server');
    expect(found(new ToolCatalog(entries, 10).find('money back'))[0]).toBe('billing__refundInvoice');
    expect(found(new ToolCatalog(entries, 10).find('infrastructure'))).toEqual(['ops__restart_server']);
  });

  it('offers only what a search chose, and never more than its limit at once', () => {
    const catalog = new ToolCatalog(entries, 2);
    expect(entries.some((entry) => catalog.offers(entry.name))).toBe(false);
    catalog.find('customer');
    const offered = entries.filter((entry) => catalog.offers(entry.name)).map((entry) => entry.name);
    expect(offered).toHaveLength(2);
    expect(JSON.parse(catalog.find('restart'))).toEqual({ tools: [], note: 'Nothing was added: the run already offers 2 tools, the most one request carries.' });
    expect(catalog.offers('ops__restart_server')).toBe(false);
  });

  it('says so when nothing matches', () => {
    expect(JSON.parse(new ToolCatalog(entries, 10).find('zebra'))).toEqual({ tools: [], note: 'Nothing was added: no allowed tool matches "zebra"; try other words.' });
  });

  it('chooses again from recorded responses exactly what the searches in them chose, ignoring other calls and bad arguments', () => {
    const live = new ToolCatalog(entries, 10);
    live.find('refund');
    live.find('customer record');
    const replayed = new ToolCatalog(entries, 10);
    replayed.replay([
      { output: [{ type: 'function_call', name: 'find_tools', arguments: '{"query":"refund"}' }, { type: 'message' }] },
      { output: [{ type: 'function_call', name: 'crm__getCustomer', arguments: '{}' }, { type: 'function_call', name: 'find_tools', arguments: 'not json' }] },
      { output: [{ type: 'function_call', name: 'find_tools', arguments: '{"query":"customer record"}' }] },
    ]);
    expect(entries.map((entry) => replayed.offers(entry.name))).toEqual(entries.map((entry) => live.offers(entry.name)));
  });
});
