// 客户分群: segment types and the rule builder <-> rule tree conversion.

export type Kind = 'tags' | 'employee' | 'channel' | 'added' | 'stage'

export interface Condition {
  key: number
  kind: Kind
  match: 'any' | 'all' | 'none'
  values: string[]
  days: number | null
}

export interface Group {
  key: number
  op: 'and' | 'or'
  conditions: Condition[]
}

export interface Builder {
  op: 'and' | 'or'
  groups: Group[]
}

export interface Segment {
  id: number
  name: string
  description: string
  owner: string
  rule: Record<string, unknown>
  include_deleted: boolean
  created_at: string
  updated_at: string
}

export type Node = Record<string, unknown>

let seq = 1
export const nextKey = () => seq++
export const newCondition = (): Condition => ({ key: nextKey(), kind: 'tags', match: 'any', values: [], days: 7 })
export const ALL: Node = { type: 'deleted', value: false } // every customer not lost

export function term(c: Condition): Node | null {
  switch (c.kind) {
    case 'tags':
      return c.values.length ? { type: 'tags', match: c.match, tag_ids: c.values } : null
    case 'employee':
      return c.values.length ? { type: 'employee', userids: c.values } : null
    case 'channel':
      return c.values.length ? { type: 'channel', states: c.values } : null
    case 'added':
      return c.days ? { type: 'added', within_days: c.days } : null
    case 'stage':
      return c.values.length ? { type: 'stage', stage_ids: c.values.map(Number) } : null
  }
}

/** The API's rule tree for the builder; incomplete conditions are left out. */
export function toRule(b: Builder): Node {
  const groups = b.groups
    .map((g) => {
      const terms = g.conditions.map(term).filter((t): t is Node => t !== null)
      return terms.length ? ({ type: g.op, terms } as Node) : null
    })
    .filter((g): g is Node => g !== null)
  if (!groups.length) return ALL
  return { type: b.op, terms: groups }
}

/** The builder for a saved rule of the builder's shape; null when it has another shape. */
export function fromRule(rule: Node): Builder | null {
  if (rule.type === 'deleted') return { op: 'and', groups: [{ key: nextKey(), op: 'and', conditions: [] }] }
  if (rule.type !== 'and' && rule.type !== 'or') return null
  const groups: Group[] = []
  for (const g of rule.terms as Node[]) {
    if (g.type !== 'and' && g.type !== 'or') return null
    const conditions: Condition[] = []
    for (const t of g.terms as Node[]) {
      const c = newCondition()
      if (t.type === 'tags' && !t.userid) Object.assign(c, { kind: 'tags', match: t.match, values: t.tag_ids })
      else if (t.type === 'employee') Object.assign(c, { kind: 'employee', values: t.userids })
      else if (t.type === 'channel' && !(t.groups as string[] | undefined)?.length)
        Object.assign(c, { kind: 'channel', values: t.states })
      else if (t.type === 'added' && t.within_days) Object.assign(c, { kind: 'added', days: t.within_days })
      else if (t.type === 'stage') Object.assign(c, { kind: 'stage', values: (t.stage_ids as number[]).map(String) })
      else return null
      conditions.push(c)
    }
    groups.push({ key: nextKey(), op: g.type as 'and' | 'or', conditions })
  }
  return { op: rule.type as 'and' | 'or', groups }
}
