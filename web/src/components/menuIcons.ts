import type { Component } from 'vue'
import {
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
  Tickets,
  User,
  UserFilled,
} from '@element-plus/icons-vue'

// Icons the server may name in `MenuItem.icon` (Element Plus icon names). Only these are
// bundled; an unknown name falls back to the icon chosen for the menu key.
const byName: Record<string, Component> = {
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
  Tickets,
  User,
  UserFilled,
}

const byKey: Record<string, Component> = {
  dashboard: Odometer,
  units: OfficeBuilding,
  users: User,
  roles: Key,
  policies: Setting,
  audit: Tickets,
}

export function menuIcon(name: string, key: string): Component {
  return byName[name] ?? byKey[key] ?? MenuIcon
}
