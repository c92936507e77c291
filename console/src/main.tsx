import { StrictMode, Suspense, lazy } from 'react'
import { createRoot } from 'react-dom/client'
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom'
import { App as AntApp, Spin } from 'antd'
import { I18nProvider } from './i18n'
import { AuthProvider, useAuth } from './auth'
import ConsoleLayout from './layout/ConsoleLayout'

const LoginPage = lazy(() => import('./pages/login/LoginPage'))
const ChangePasswordPage = lazy(() => import('./pages/login/ChangePasswordPage'))
const DashboardPage = lazy(() => import('./pages/dashboard/DashboardPage'))
const CustomersPage = lazy(() => import('./pages/customers/CustomersPage'))
const FollowUpsPage = lazy(() => import('./pages/customers/FollowUpsPage'))
const TagsPage = lazy(() => import('./pages/tags/TagsPage'))
const EmployeesPage = lazy(() => import('./pages/employees/EmployeesPage'))
const GroupsPage = lazy(() => import('./pages/groups/GroupsPage'))
const SyncPage = lazy(() => import('./pages/sync/SyncPage'))
const SettingsPage = lazy(() => import('./pages/settings/SettingsPage'))
const ChannelCodesPage = lazy(() => import('./pages/channels/ChannelCodesPage'))
const SegmentsPage = lazy(() => import('./pages/segments/SegmentsPage'))
const BroadcastsPage = lazy(() => import('./pages/broadcasts/BroadcastsPage'))
const TasksPage = lazy(() => import('./pages/tasks/TasksPage'))
const SopPage = lazy(() => import('./pages/sop/SopPage'))
const ContentPage = lazy(() => import('./pages/content/ContentPage'))
const GroupCodesPage = lazy(() => import('./pages/groupcodes/GroupCodesPage'))
const SidebarPage = lazy(() => import('./pages/sidebar/SidebarPage'))
const GroupSidebarPage = lazy(() => import('./pages/sidebar/GroupSidebarPage'))
const OwnershipPage = lazy(() => import('./pages/ownership/OwnershipPage'))
// the mobile workbench (antd-mobile) stays in its own chunk: the console's bundle never loads it
const WorkbenchPage = lazy(() => import('./pages/workbench/WorkbenchPage'))
const PhrasesPage = lazy(() => import('./pages/phrases/PhrasesPage'))

const loading = <Spin style={{ display: 'block', margin: '80px auto' }} />

function Guard({ children, admin, wecom }: { children: React.ReactNode; admin?: boolean; wecom?: boolean }) {
  const { me, loading: busy } = useAuth()
  if (busy) return loading
  if (!me && wecom) {
    // the sidebar signs the employee in through WeCom (OAuth) without a login form
    // the sidebar's URL in WeCom names the corp when several share this Siyu (?corp=ww...)
    const corp = new URLSearchParams(location.search).get('corp')
    const params = new URLSearchParams({ next: location.pathname + location.search, ...(corp ? { corp } : {}) })
    location.replace(`/api/v1/auth/wecom/start?${params}`)
    return loading
  }
  if (!me) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />
  // a one-time password someone gave: the API refuses everything else until it is changed
  if (me.must_change_password) return <ChangePasswordPage />
  if (admin && !me.is_admin) return <Navigate to="/" replace />
  return <>{children}</>
}

function Root() {
  return (
    <Suspense fallback={loading}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/sidebar" element={<Guard wecom><SidebarPage /></Guard>} />
        <Route path="/m/*" element={<Guard wecom><WorkbenchPage /></Guard>} />
        <Route path="/sidebar/group" element={<Guard wecom><GroupSidebarPage /></Guard>} />
        <Route element={<Guard><ConsoleLayout /></Guard>}>
          <Route index element={<DashboardPage />} />
          <Route path="customers" element={<CustomersPage />} />
          <Route path="follow-ups" element={<FollowUpsPage />} />
          <Route path="tags" element={<TagsPage />} />
          <Route path="employees" element={<EmployeesPage />} />
          <Route path="groups" element={<GroupsPage />} />
          <Route path="channel-codes" element={<ChannelCodesPage />} />
          <Route path="segments" element={<SegmentsPage />} />
          <Route path="broadcasts" element={<BroadcastsPage />} />
          <Route path="broadcasts/:id" element={<BroadcastsPage />} />
          <Route path="tasks" element={<TasksPage />} />
          <Route path="tasks/:id" element={<TasksPage />} />
          <Route path="soon/tasks" element={<Navigate to="/tasks" replace />} />
          <Route path="sop" element={<SopPage />} />
          <Route path="content" element={<ContentPage />} />
          <Route path="phrases" element={<PhrasesPage />} />
          <Route path="group-codes" element={<GroupCodesPage />} />
          <Route path="ownership" element={<OwnershipPage />} />
          <Route path="sync" element={<SyncPage />} />
          <Route path="settings" element={<Guard admin><SettingsPage /></Guard>} />
          <Route path="soon/channel-codes" element={<Navigate to="/channel-codes" replace />} />
          <Route path="soon/segments" element={<Navigate to="/segments" replace />} />
          <Route path="soon/broadcasts" element={<Navigate to="/broadcasts" replace />} />
          <Route path="soon/sops" element={<Navigate to="/sop" replace />} />
          <Route path="soon/content" element={<Navigate to="/content" replace />} />
          <Route path="soon/group-codes" element={<Navigate to="/group-codes" replace />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </Suspense>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <AntApp>
        <AuthProvider>
          <BrowserRouter>
            <Root />
          </BrowserRouter>
        </AuthProvider>
      </AntApp>
    </I18nProvider>
  </StrictMode>,
)
