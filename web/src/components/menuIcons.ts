import type { Component } from 'vue'
import {
  Briefcase,
  DataAnalysis,
  Document,
  Files,
  HomeFilled,
  Key,
  Lock,
  Menu as MenuIcon,
  Odometer,
  OfficeBuilding,
  Setting,
  Ship,
  Tickets,
  User,
  UserFilled,
} from '@element-plus/icons-vue'

// Icons the server may name in `MenuItem.icon` (Element Plus icon names). Only these are
// bundled; an unknown name falls back to the icon chosen for the menu key.
const byName: Record<string, Component> = {
  Briefcase,
  DataAnalysis,
  Document,
  Files,
  HomeFilled,
  House: HomeFilled,
  Key,
  Lock,
  Menu: MenuIcon,
  Odometer,
  OfficeBuilding,
  Setting,
  Ship,
  Tickets,
  User,
  UserFilled,
}

const byKey: Record<string, Component> = {
  dashboard: Odometer,
  customers: Briefcase,
  pool: Ship,
  units: OfficeBuilding,
  users: User,
  roles: Key,
  policies: Setting,
  audit: Tickets,
}

export function menuIcon(name: string, key: string): Component {
  return byName[name] ?? byKey[key] ?? MenuIcon
}
