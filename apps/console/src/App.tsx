import { Navigate, Route, Routes } from 'react-router';
import { usePlatformAdmin } from './auth/caller';
import { useAuth } from './auth/credentials';
import { ReturnAfterSignIn, SignInCallback } from './auth/SignInCallback';
import { SignInPage } from './auth/SignInPage';
import { AgentsPage } from './pages/agents/AgentsPage';
import { AlertsPage } from './pages/alerts/AlertsPage';
import { ApprovalsPage } from './pages/approvals/ApprovalsPage';
import { AuditPage } from './pages/audit/AuditPage';
import { BudgetsPage } from './pages/budgets/BudgetsPage';
import { DeadLettersPage } from './pages/dead-letters/DeadLettersPage';
import { OperationsPage } from './pages/operations/OperationsPage';
import { ProjectionsPage } from './pages/projections/ProjectionsPage';
import { OverviewPage } from './pages/overview/OverviewPage';
import { PoliciesPage } from './pages/policies/PoliciesPage';
import { SessionPage } from './pages/sessions/SessionPage';
import { SessionsPage } from './pages/sessions/SessionsPage';
import { ToolsPage } from './pages/tools/ToolsPage';
import { UsagePage } from './pages/usage/UsagePage';
import { Shell } from './shell/Shell';

/** Every page is a view over the public API; the route is the address a person can share. */
export function App() {
  const { credential } = useAuth();
  if (!credential) {
    return (
      <Routes>
        <Route path="/sign-in/callback" element={<SignInCallback />} />
        <Route path="*" element={<SignInPage />} />
      </Routes>
    );
  }
  return <SignedIn />;
}

/** The replay pages, which the platform admin shares with a tenant's operators and admins. */
const replayRoutes = [
  <Route key="dead-letters" path="/dead-letters" element={<DeadLettersPage />} />,
  <Route key="dead-letter" path="/dead-letters/:deadLetterId" element={<DeadLettersPage />} />,
  <Route key="operations" path="/operations" element={<OperationsPage />} />,
  <Route key="operation" path="/operations/:operationId" element={<OperationsPage />} />,
  <Route key="projections" path="/projections" element={<ProjectionsPage />} />,
  <Route key="usage" path="/usage" element={<UsagePage />} />,
];

function SignedIn() {
  // The platform admin reads no tenant's data: its console is the replay pages and the platform's alerts. Until /v1/me
  // answers, the tenant's routes render (what nearly everyone signs in as), so no page waits on it.
  if (usePlatformAdmin()) {
    return (
      <Shell>
        <Routes>
          <Route path="/alerts" element={<AlertsPage />} />
          {replayRoutes}
          <Route path="/sign-in/*" element={<ReturnAfterSignIn />} />
          <Route path="*" element={<Navigate to="/operations" replace />} />
        </Routes>
      </Shell>
    );
  }
  return (
    <Shell>
      <Routes>
        <Route path="/" element={<OverviewPage />} />
        <Route path="/approvals" element={<ApprovalsPage />} />
        <Route path="/approvals/:approvalId" element={<ApprovalsPage />} />
        <Route path="/sessions" element={<SessionsPage />} />
        <Route path="/sessions/:sessionId" element={<SessionPage />} />
        <Route path="/tools" element={<ToolsPage />} />
        <Route path="/tools/:name" element={<ToolsPage />} />
        <Route path="/agents" element={<AgentsPage />} />
        <Route path="/agents/:name" element={<AgentsPage />} />
        <Route path="/policies" element={<PoliciesPage />} />
        <Route path="/audit" element={<AuditPage />} />
        <Route path="/alerts" element={<AlertsPage />} />
        <Route path="/budgets" element={<BudgetsPage />} />
        {replayRoutes}
        <Route path="/sign-in/*" element={<ReturnAfterSignIn />} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </Shell>
  );
}
