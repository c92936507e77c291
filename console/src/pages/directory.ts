// Employees and tags of the corp: names for ids and options for selects, shared by pages.
import { useMemo } from 'react'
import { get, type Employee, type Page, type TagGroup } from '../api'
import { useLoad } from '../hooks'

/** Employees and tags: names for ids, options for selects. */
export function useDirectory() {
  const employees = useLoad(() => get<Page<Employee>>('/employees', { limit: 500 }), [])
  const groups = useLoad(() => get<TagGroup[]>('/tags/groups'), [])
  return useMemo(() => {
    const emps = (employees.data?.items ?? []).filter((e) => e.active)
    const empName = new Map(emps.map((e) => [e.userid, e.display_name || e.name]))
    const tagName = new Map<string, string>()
    for (const g of groups.data ?? []) for (const t of g.tags) tagName.set(t.tag_id, t.name)
    return {
      empName: (u: string) => empName.get(u) ?? u,
      tagName: (t: string) => tagName.get(t) ?? t,
      employeeOptions: emps.map((e) => ({ label: e.display_name || e.name, value: e.userid })),
      tagOptions: (groups.data ?? []).map((g) => ({
        label: g.name,
        options: g.tags.map((t) => ({ label: t.name, value: t.tag_id })),
      })),
    }
  }, [employees.data, groups.data])
}

export type Dir = ReturnType<typeof useDirectory>
