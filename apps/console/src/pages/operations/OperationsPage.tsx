import { useParams } from 'react-router';
import { PageTitle } from '../../shell/Shell';
import { Empty, Loading } from '../registries/Loading';
import { useReplayAccess } from './access';
import { OperationDetail } from './OperationDetail';
import { OperationList } from './OperationList';

/** `/operations` lists the bulk operations (redrives, discards, rebuilds, replays); `/operations/:id` shows one: its dry run, then its progress. */
export function OperationsPage() {
  const { operationId } = useParams();
  const access = useReplayAccess();
  if (!access) return <Loading what="your roles" />;
  if (!access.mayAct) return <NotForYourRoles title="Operations" />;
  return operationId === undefined ? <OperationList /> : <OperationDetail key={operationId} operationId={operationId} />;
}

/** The replay routes answer only operators and admins (and the platform admin): say so instead of a 403. */
export function NotForYourRoles({ title }: { title: string }) {
  return (
    <>
      <PageTitle>{title}</PageTitle>
      <Empty title="Replay tooling is for operators and admins">Ask an admin for a key or a sign-in with the operator role.</Empty>
    </>
  );
}
