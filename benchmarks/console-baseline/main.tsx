/**
 * The baseline of `npm run bench:console`: a bare Vite + React page, no component library, no
 * data-fetching library, no router, rendering the same data from the same API as the console's
 * page under measure. `?view=approvals` lists every pending approval (all pages, as the inbox
 * holds them); `?view=session&id=<sessionId>` lists the session's events one row each, nested
 * under their step, in one scrolling column.
 */
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

const credential = JSON.parse(sessionStorage.getItem('agent-orchestrator.console.credential') ?? '{}') as { apiKey?: string };
const headers = { authorization: `Bearer ${credential.apiKey ?? ''}` };
const params = new URLSearchParams(location.search);

async function get<T>(path: string): Promise<T> {
  const answer = await fetch(path, { headers });
  if (!answer.ok) throw new Error(`${path}: ${answer.status}`);
  return (await answer.json()) as T;
}

interface ApprovalRow {
  approvalId: string;
  tool: string;
  agent: string;
  requestedAt: string;
  expiresAt: string;
  context?: { goal: string };
}

function Approvals() {
  const [items, setItems] = useState<ApprovalRow[]>([]);
  useEffect(() => {
    void (async () => {
      let before: string | null = null;
      do {
        const page: { items: ApprovalRow[]; nextCursor: string | null } = await get(`/v1/approvals?status=pending&for=me&limit=200${before ? `&before=${before}` : ''}`);
        setItems((shown) => [...shown, ...page.items]);
        before = page.nextCursor;
      } while (before);
    })();
  }, []);
  return (
    <table>
      <tbody>
        {items.map((item) => (
          <tr key={item.approvalId} data-bench-row="">
            <td>{item.context?.goal}</td>
            <td>{item.agent}</td>
            <td>{item.tool}</td>
            <td>{item.expiresAt}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface EventRow {
  eventId: string;
  type: string;
  streamVersion: number;
  occurredAt: string;
  data: Record<string, unknown>;
}

function Session({ id }: { id: string }) {
  const [events, setEvents] = useState<EventRow[]>([]);
  useEffect(() => {
    void (async () => {
      let from: number | null = 0;
      while (from !== null) {
        const page: { items: EventRow[]; nextFromVersion: number | null } = await get(`/v1/sessions/${id}/events?fromVersion=${from}&limit=500`);
        setEvents((shown) => [...shown, ...page.items]);
        from = page.nextFromVersion;
      }
    })();
  }, [id]);
  return (
    <div id="bench-scroll" style={{ height: '100vh', overflow: 'auto' }}>
      <ul>
        {events.map((event) => (
          <li key={event.eventId} data-bench-node="">
            <strong>{event.type}</strong> v{event.streamVersion} {event.occurredAt}
            <ul>
              <li>{typeof event.data.stepId === 'string' ? event.data.stepId : ''}</li>
            </ul>
          </li>
        ))}
      </ul>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(params.get('view') === 'session' ? <Session id={params.get('id') ?? ''} /> : <Approvals />);
