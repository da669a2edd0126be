import { replayFilterFrom, replayLines } from './session-replay-text.js';

describe('ao sessions replay: the filter', () => {
  it('takes one session by id', () => {
    expect(replayFilterFrom('3f2c9d7e-8a41-4f6b-b0c5-1d2e3f4a5b6c', undefined)).toEqual({ ids: ['3f2c9d7e-8a41-4f6b-b0c5-1d2e3f4a5b6c'] });
  });

  it('takes a query of status, since and until, instants written in full', () => {
    expect(replayFilterFrom(undefined, 'status=failed, since=2026-11-01 until=2026-11-29T09:00:00Z')).toEqual({ status: 'failed', since: '2026-11-01T00:00:00.000Z', until: '2026-11-29T09:00:00.000Z' });
  });

  it('refuses both, neither, an unknown key or a time that is not one, as a usage error', () => {
    expect(() => replayFilterFrom('a', 'status=failed')).toThrow(expect.objectContaining({ code: 2 }));
    expect(() => replayFilterFrom(undefined, undefined)).toThrow(expect.objectContaining({ code: 2 }));
    expect(() => replayFilterFrom(undefined, 'tool=crm')).toThrow(expect.objectContaining({ code: 2, message: expect.stringContaining('"tool=crm"') }));
    expect(() => replayFilterFrom(undefined, 'since=yesterday')).toThrow(expect.objectContaining({ code: 2, message: expect.stringContaining('"yesterday"') }));
    expect(() => replayFilterFrom(undefined, ' , ')).toThrow(expect.objectContaining({ code: 2 }));
  });
});

describe('ao sessions replay: what it prints per session', () => {
  it('says identical, or where it first differs with both versions of the event', () => {
    expect(
      replayLines([
        { itemId: 's-1', outcome: 'succeeded', detail: { identical: true, decisions: 28, streams: 9, responsesServed: 12, toolAnswersServed: 3 } },
        { itemId: 's-2', outcome: 'failed', detail: { identical: false, streamId: 'session-s-2', version: 14, eventType: 'ReworkRequested', reason: 'the replay decides otherwise: data differ', recorded: { data: { stepIds: ['s3'] } }, replayed: { data: { stepIds: [] } } } },
        { itemId: 's-3', outcome: 'skipped', detail: 'the session belongs to another tenant' },
      ]),
    ).toEqual([
      's-1  identical (28 decisions, 12 model responses and 3 tool answers served from the log)',
      's-2  differs at session-s-2 version 14 (ReworkRequested): the replay decides otherwise: data differ',
      '    recorded: {"data":{"stepIds":["s3"]}}',
      '    replayed: {"data":{"stepIds":[]}}',
      's-3  skipped: the session belongs to another tenant',
    ]);
  });
});
