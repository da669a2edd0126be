import { useParams } from 'react-router';
import { ToolDetail } from './ToolDetail';
import { ToolList } from './ToolList';

/** `/tools` lists the tenant's tools; `/tools/:name` shows one. */
export function ToolsPage() {
  const { name } = useParams();
  return name === undefined ? <ToolList /> : <ToolDetail name={name} />;
}
