import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSessionStore } from '@/stores/session'
import { safeRedirect } from '@/utils/redirect'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    public?: boolean
    /** The `Me.menu` key that grants this screen (UX hint; the API enforces access). */
    menuKey?: string
    /** i18n key of the page title. */
    title?: string
  }
}

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/auth/LoginView.vue'),
    meta: { public: true, title: 'auth.loginTitle' },
  },
  {
    path: '/change-password',
    name: 'change-password',
    component: () => import('@/views/auth/ChangePasswordView.vue'),
    meta: { title: 'auth.changePassword' },
  },
  {
    path: '/',
    component: () => import('@/layouts/AppLayout.vue'),
    children: [
      {
        path: '',
        name: 'dashboard',
        component: () => import('@/views/dashboard/DashboardView.vue'),
        meta: { menuKey: 'dashboard', title: 'menu.dashboard' },
      },
      {
        path: 'customers',
        name: 'customers',
        component: () => import('@/views/customers/CustomersView.vue'),
        meta: { menuKey: 'customers', title: 'menu.customers' },
      },
      {
        path: 'customers/pool',
        name: 'pool',
        component: () => import('@/views/customers/PoolView.vue'),
        meta: { menuKey: 'pool', title: 'menu.pool' },
      },
      {
        path: 'customers/import',
        name: 'customer-import',
        component: () => import('@/views/customers/CustomerImportView.vue'),
        meta: { menuKey: 'customers', title: 'customers.import.title' },
      },
      {
        path: 'customers/:id',
        name: 'customer',
        component: () => import('@/views/customers/CustomerDetailView.vue'),
        props: true,
        meta: { title: 'menu.customers' },
      },
      {
        path: 'org/units',
        name: 'units',
        component: () => import('@/views/org/UnitsView.vue'),
        meta: { menuKey: 'units', title: 'menu.units' },
      },
      {
        path: 'org/users',
        name: 'users',
        component: () => import('@/views/org/UsersView.vue'),
        meta: { menuKey: 'users', title: 'menu.users' },
      },
      {
        path: 'org/roles',
        name: 'roles',
        component: () => import('@/views/org/RolesView.vue'),
        meta: { menuKey: 'roles', title: 'menu.roles' },
      },
      {
        path: 'settings/policies',
        name: 'policies',
        component: () => import('@/views/settings/PoliciesView.vue'),
        meta: { menuKey: 'policies', title: 'menu.policies' },
      },
      {
        path: 'settings/audit',
        name: 'audit',
        component: () => import('@/views/settings/AuditView.vue'),
        meta: { menuKey: 'audit', title: 'menu.audit' },
      },
      // Visit loop (issue #4): the rep's field screens, the manager's views, approvals, notifications.
      {
        path: 'field/today',
        name: 'today',
        component: () => import('@/views/field/TodayView.vue'),
        meta: { menuKey: 'today', title: 'menu.today' },
      },
      {
        path: 'field/visits/:id',
        name: 'visit',
        component: () => import('@/views/field/VisitReportView.vue'),
        props: true,
        meta: { title: 'field.visitReport' },
      },
      {
        path: 'field/follow-ups',
        name: 'follow-ups',
        component: () => import('@/views/field/FollowUpsView.vue'),
        meta: { menuKey: 'followUps', title: 'menu.followUps' },
      },
      {
        path: 'field/plans',
        name: 'visit-plans',
        component: () => import('@/views/field/PlanEditorView.vue'),
        meta: { menuKey: 'visitPlans', title: 'menu.visitPlans' },
      },
      {
        path: 'field/applications',
        name: 'visit-applications',
        component: () => import('@/views/field/ApplicationsView.vue'),
        meta: { menuKey: 'visitApplications', title: 'menu.visitApplications' },
      },
      {
        path: 'field/team-day',
        name: 'team-day',
        component: () => import('@/views/field/TeamDayView.vue'),
        meta: { menuKey: 'teamDay', title: 'menu.teamDay' },
      },
      {
        path: 'field/team-calendar',
        name: 'team-calendar',
        component: () => import('@/views/field/TeamCalendarView.vue'),
        meta: { menuKey: 'teamCalendar', title: 'menu.teamCalendar' },
      },
      {
        path: 'field/progress',
        name: 'plan-progress',
        component: () => import('@/views/field/PlanProgressView.vue'),
        meta: { menuKey: 'planProgress', title: 'menu.planProgress' },
      },
      {
        path: 'field/overdue',
        name: 'overdue',
        component: () => import('@/views/field/OverdueView.vue'),
        meta: { menuKey: 'overdue', title: 'menu.overdue' },
      },
      {
        path: 'reports/daily',
        name: 'daily-report',
        component: () => import('@/views/reports/DailyReportView.vue'),
        meta: { menuKey: 'dailyReport', title: 'menu.dailyReport' },
      },
      {
        path: 'reports/review',
        name: 'daily-review',
        component: () => import('@/views/reports/DailyReviewView.vue'),
        meta: { menuKey: 'dailyReview', title: 'menu.dailyReview' },
      },
      {
        path: 'reports/routines',
        name: 'routines',
        component: () => import('@/views/reports/RoutinesView.vue'),
        meta: { menuKey: 'routines', title: 'menu.routines' },
      },
      {
        path: 'reports/intel',
        name: 'market-intel',
        component: () => import('@/views/reports/MarketIntelView.vue'),
        meta: { menuKey: 'marketIntel', title: 'menu.marketIntel' },
      },
      {
        path: 'reports/summaries',
        name: 'summaries',
        component: () => import('@/views/reports/SummariesView.vue'),
        meta: { menuKey: 'summaries', title: 'menu.summaries' },
      },
      {
        path: 'reports/competitors',
        name: 'competitors',
        component: () => import('@/views/reports/CompetitorsView.vue'),
        meta: { menuKey: 'competitors', title: 'menu.competitors' },
      },
      {
        path: 'approvals',
        name: 'approvals',
        component: () => import('@/views/approvals/ApprovalsView.vue'),
        meta: { menuKey: 'approvals', title: 'menu.approvals' },
      },
      {
        path: 'approvals/:id',
        name: 'approval',
        component: () => import('@/views/approvals/ApprovalsView.vue'),
        props: true,
        meta: { title: 'menu.approvals' },
      },
      {
        path: 'notifications',
        name: 'notifications',
        component: () => import('@/views/notifications/NotificationsView.vue'),
        meta: { title: 'notifications.title' },
      },
      {
        path: 'settings/webhooks',
        name: 'webhooks',
        component: () => import('@/views/notifications/WebhooksView.vue'),
        meta: { menuKey: 'webhooks', title: 'menu.webhooks' },
      },
      {
        path: 'forbidden',
        name: 'forbidden',
        component: () => import('@/views/errors/ErrorView.vue'),
        props: { status: 403 },
        meta: { title: 'errors.forbiddenTitle' },
      },
    ],
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/views/errors/ErrorView.vue'),
    props: { status: 404, standalone: true },
    meta: { public: true, title: 'errors.notFoundTitle' },
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  const session = useSessionStore()
  await session.probe()

  if (to.name === 'login') {
    return session.isSignedIn ? { path: safeRedirect(to.query.redirect) } : true
  }
  if (to.meta.public) return true
  if (!session.isSignedIn) {
    return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  if (session.mustChangePassword && to.name !== 'change-password') {
    return { name: 'change-password' }
  }
  if (to.meta.menuKey && !session.hasMenu(to.meta.menuKey)) {
    return { name: 'forbidden' }
  }
  return true
})
