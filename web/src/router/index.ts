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
