import { createApp } from 'vue'
import { createPinia } from 'pinia'
// Styles of the services Element Plus creates from script (the components used in
// templates get theirs from the on-demand resolver).
import 'element-plus/theme-chalk/el-message.css'
import 'element-plus/theme-chalk/el-message-box.css'
import 'element-plus/theme-chalk/el-loading.css'
import './styles/main.css'
import App from './App.vue'
import { configureHttp } from './api/http'
import { vCan } from './directives/can'
import { i18n } from './locales'
import { router } from './router'
import { useSessionStore } from './stores/session'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
app.use(router)
app.directive('can', vCan)

const session = useSessionStore()
configureHttp({
  csrfToken: () => session.csrfToken,
  onUnauthenticated: () => {
    const wasSignedIn = session.isSignedIn
    session.clear()
    const current = router.currentRoute.value
    if (current.meta.public) return
    void router.replace({
      name: 'login',
      query: { redirect: current.fullPath, ...(wasSignedIn ? { expired: '1' } : {}) },
    })
  },
  onPasswordChangeRequired: () => {
    void router.replace({ name: 'change-password' })
  },
})

app.mount('#app')
