import { capturedStreams } from './chain-fixture.js';
import { checkChain, type StoredLink } from './hash-chain.js';

const [toolCall, approval] = capturedStreams.map((stream) => ({ streamId: stream.streamId, links: structuredClone(stream.links) as unknown as StoredLink[] }));

describe("the browser's hash-chain check", () => {
  it("holds the server's hashes: both captured streams are intact", async () => {
    for (const stream of [toolCall!, approval!]) {
      await expect(checkChain(stream.streamId, stream.links)).resolves.toEqual({ streamId: stream.streamId, intact: true, events: stream.links.length });
    }
  });

  it('finds an event whose data was changed after it was written', async () => {
    const links = structuredClone(approval!.links);
    (links[1]!.event.data as { arguments: string }).arguments = '{"id":"42","body":{"tier":"platinum"}}';
    await expect(checkChain(approval!.streamId, links)).resolves.toMatchObject({
      intact: false,
      brokenAt: { streamVersion: 1, eventId: links[1]!.event.eventId, why: expect.stringContaining('does not match its hash') },
    });
  });

  it('finds an envelope field changed too (who did it), not just data', async () => {
    const links = structuredClone(toolCall!.links);
    links[0] = { ...links[0]!, event: { ...links[0]!.event, actor: { kind: 'user', id: 'someone-else' } } };
    await expect(checkChain(toolCall!.streamId, links)).resolves.toMatchObject({ intact: false, brokenAt: { streamVersion: 0 } });
  });

  it('finds a removed event and a rewritten predecessor hash', async () => {
    const removed = [toolCall!.links[1]!];
    await expect(checkChain(toolCall!.streamId, removed)).resolves.toMatchObject({ intact: false, brokenAt: { streamVersion: 1, why: expect.stringContaining('version 0 was expected') } });
    const relinked = structuredClone(approval!.links);
    relinked[1] = { ...relinked[1]!, prevHash: '00'.repeat(32) };
    await expect(checkChain(approval!.streamId, relinked)).resolves.toMatchObject({ intact: false, brokenAt: { streamVersion: 1, why: expect.stringContaining('predecessor') } });
  });

  it('finds an event of another stream slipped in', async () => {
    await expect(checkChain(approval!.streamId, toolCall!.links)).resolves.toMatchObject({ intact: false, brokenAt: { streamVersion: 0, why: expect.stringContaining('belongs to stream') } });
  });
});
