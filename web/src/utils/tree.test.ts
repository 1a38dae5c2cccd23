import { describe, expect, it } from 'vitest'
import type { Unit } from '@/api/types'
import { buildUnitTree, subtreeIds } from './tree'

const unit = (id: string, parentId: string | null, name: string, kind: Unit['kind']): Unit => ({
  id,
  parentId,
  name,
  kind,
  managerId: null,
  managerName: null,
  active: true,
  memberCount: 0,
})

const units = [
  unit('4', '2', '华南组', 'team'),
  unit('1', null, '拓客公司', 'company'),
  unit('3', '2', '华东一组', 'team'),
  unit('2', '1', '销售部', 'department'),
  unit('9', '77', '孤立组', 'team'),
]

describe('buildUnitTree', () => {
  it('nests by parentId and keeps orphans as roots', () => {
    const tree = buildUnitTree(units)
    expect(tree.map((node) => node.unit.name)).toEqual(['拓客公司', '孤立组'])
    expect(tree[0]!.children[0]!.unit.name).toBe('销售部')
    expect(tree[0]!.children[0]!.children).toHaveLength(2)
  })
})

describe('subtreeIds', () => {
  it('collects a unit and its descendants', () => {
    expect([...subtreeIds(units, '2')].sort()).toEqual(['2', '3', '4'])
  })
})
