// A small typed client of Siyu's REST API (/api/v1). The session cookie travels by itself;
// unsafe methods send the CSRF token (cookie `siyu_csrf`) in the `X-Siyu-CSRF` header.

export class ApiError extends Error {
  status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

function csrf(): string {
  const m = document.cookie.match(/(?:^|;\s*)siyu_csrf=([^;]+)/)
  return m ? decodeURIComponent(m[1]) : ''
}

type Params = Record<string, string | number | boolean | string[] | undefined | null>

export function query(params?: Params): string {
  if (!params) return ''
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x))
    else q.append(k, String(v))
  }
  const s = q.toString()
  return s ? `?${s}` : ''
}

function readable(status: number, body: unknown): string {
  const detail = (body as { detail?: unknown })?.detail
  if (typeof detail === 'string') return detail
  if (Array.isArray(detail)) {
    return detail
      .map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc || []).slice(1).join('.')}: ${d.msg}`)
      .join('; ')
  }
  return `HTTP ${status}`
}

export async function api<T>(method: string, path: string, body?: unknown, params?: Params): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET') headers['X-Siyu-CSRF'] = csrf()
  const res = await fetch(`/api/v1${path}${query(params)}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (res.status === 204) return undefined as T
  const text = await res.text()
  let data: unknown = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    data = { detail: text }
  }
  if (!res.ok) throw new ApiError(res.status, readable(res.status, data))
  return data as T
}

export const get = <T,>(path: string, params?: Params) => api<T>('GET', path, undefined, params)
export const post = <T,>(path: string, body?: unknown) => api<T>('POST', path, body ?? {})
export const put = <T,>(path: string, body: unknown) => api<T>('PUT', path, body)
export const patch = <T,>(path: string, body: unknown) => api<T>('PATCH', path, body)
export const del = <T,>(path: string) => api<T>('DELETE', path)

// ---- shapes (mirroring the OpenAPI schemas at /api/openapi.json)

export interface Me {
  kind: string
  name: string
  role: 'admin' | 'operator' | 'manager' | 'staff' | 'integrator'
  user_id: number | null
  userid: string | null
  corp_id: number
  wecom_corp_id: string
  corp_name: string
  full_access: boolean
  is_admin: boolean
  visible_userids: string[] | null
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export interface TagRef {
  tag_id: string
  name: string
  group_name: string
}

export interface Customer {
  id: number
  external_userid: string
  name: string
  avatar: string
  type: number
  gender: number
  corp_name: string
  first_added_at: string | null
  deleted_at: string | null
  userids: string[]
  tags: TagRef[]
  remarks: string[]
}

export interface Relation {
  userid: string
  employee_name: string
  remark: string
  description: string
  add_way: number
  state: string
  added_at: string | null
  deleted_at: string | null
  tags: TagRef[]
}

export interface TimelineEntry {
  id: number
  kind: string
  userid: string
  occurred_at: string
  data: Record<string, unknown>
}

export interface CustomerDetail extends Customer {
  relations: Relation[]
  timeline: TimelineEntry[]
}

export interface Tag {
  tag_id: string
  name: string
  order: number
}

export interface TagGroup {
  group_id: string
  name: string
  order: number
  tags: Tag[]
}

export interface Employee {
  userid: string
  name: string
  position: string
  department_ids: number[]
  customers: number
  customer_contact: boolean
  active: boolean
}

export interface Department {
  dept_id: number
  name: string
  parent_id: number | null
  employees: number
}

export interface GroupChat {
  chat_id: string
  name: string
  owner: string
  member_count: number
  created_at?: string
  dismissed_at: string | null
}

export interface BatchJob {
  id: number
  status: string
  total: number
  done: number
  failed: number
  errors: string[]
}
