import { useParams } from 'react-router';
import { AgentDetail } from './AgentDetail';
import { AgentList } from './AgentList';

/** `/agents` lists the tenant's agents; `/agents/:name` shows one with its versions. */
export function AgentsPage() {
  const { name } = useParams();
  return name === undefined ? <AgentList /> : <AgentDetail name={name} />;
}
