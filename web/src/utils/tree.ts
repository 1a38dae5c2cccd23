import type { Unit } from '@/api/types'

export interface UnitNode {
  id: string
  unit: Unit
  children: UnitNode[]
}

const KIND_ORDER = { company: 0, department: 1, team: 2 } as const

/**
 * Builds the unit tree from the flat list (`parentId`). Units whose parent is missing
 * from the list (outside the caller's scope) become roots. Siblings are sorted by kind,
 * then by name in the given collation.
 */
export function buildUnitTree(units: readonly Unit[], locale = 'zh-CN'): UnitNode[] {
  const nodes = new Map<string, UnitNode>()
  for (const unit of units) nodes.set(unit.id, { id: unit.id, unit, children: [] })
  const roots: UnitNode[] = []
  for (const node of nodes.values()) {
    const parent = node.unit.parentId ? nodes.get(node.unit.parentId) : undefined
    if (parent && parent !== node) parent.children.push(node)
    else roots.push(node)
  }
  const collator = new Intl.Collator(locale)
  const sort = (list: UnitNode[]) => {
    list.sort(
      (a, b) => KIND_ORDER[a.unit.kind] - KIND_ORDER[b.unit.kind] || collator.compare(a.unit.name, b.unit.name),
    )
    for (const node of list) sort(node.children)
  }
  sort(roots)
  return roots
}

/** Ids of `rootId` and every unit below it. */
export function subtreeIds(units: readonly Unit[], rootId: string): Set<string> {
  const children = new Map<string, string[]>()
  for (const unit of units) {
    if (!unit.parentId) continue
    const list = children.get(unit.parentId) ?? []
    list.push(unit.id)
    children.set(unit.parentId, list)
  }
  const result = new Set<string>()
  const stack = [rootId]
  while (stack.length) {
    const id = stack.pop()!
    if (result.has(id)) continue
    result.add(id)
    stack.push(...(children.get(id) ?? []))
  }
  return result
}
