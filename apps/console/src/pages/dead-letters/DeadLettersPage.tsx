import { useParams } from 'react-router';
import { Loading } from '../registries/Loading';
import { useReplayAccess } from '../operations/access';
import { NotForYourRoles } from '../operations/OperationsPage';
import { DeadLetterList } from './DeadLetterList';
import { DeadLetterView } from './DeadLetterView';

/** `/dead-letters` lists what consumers gave up on (and parked tool calls), filtered; `/dead-letters/:id` shows one, its message decoded. */
export function DeadLettersPage() {
  const { deadLetterId } = useParams();
  const access = useReplayAccess();
  if (!access) return <Loading what="your roles" />;
  if (!access.mayAct) return <NotForYourRoles title="Dead letters" />;
  return deadLetterId === undefined ? <DeadLetterList platform={access.platform} /> : <DeadLetterView key={deadLetterId} deadLetterId={deadLetterId} />;
}
