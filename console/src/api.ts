// A small typed client of Siyu's REST API (/api/v1); its types come from the OpenAPI document.
// The session cookie travels by itself; unsafe methods send the CSRF token (cookie `siyu_csrf`) in the `X-Siyu-CSRF` header.

import type { components, paths } from './api/schema'
import { errorText } from './errorText'

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

/** The API's error as one sentence in the console's language (see errorText.ts). */
const readable = errorText

/** fetch, with a failed connection as an ApiError (status 0) in the console's language. */
async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init)
  } catch {
    throw new ApiError(0, errorText(0, null))
  }
}

export async function api<T>(method: string, path: string, body?: unknown, params?: Params): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET') headers['X-Siyu-CSRF'] = csrf()
  const res = await send(`/api/v1${path}${query(params)}`, {
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

/** POST `body` and save the file the API answers with (exports of unsaved definitions). */
export async function download(path: string, body: unknown, fallbackName: string): Promise<void> {
  const res = await send(`/api/v1${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Siyu-CSRF': csrf() },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  })
  if (!res.ok) {
    const text = await res.text()
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch {
      data = { detail: text }
    }
    throw new ApiError(res.status, readable(res.status, data))
  }
  const blob = await res.blob()
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? fallbackName
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export const get = <T,>(path: string, params?: Params) => api<T>('GET', path, undefined, params)
export const post = <T,>(path: string, body?: unknown) => api<T>('POST', path, body ?? {})
export const put = <T,>(path: string, body: unknown) => api<T>('PUT', path, body)
export const patch = <T,>(path: string, body: unknown) => api<T>('PATCH', path, body)
export const del = <T,>(path: string) => api<T>('DELETE', path)

// ---- shapes: generated from the OpenAPI document (src/api/schema.d.ts; `make api-types`)

/** Every schema of the API by name, e.g. `Schemas['CustomerOut']`. */
export type Schemas = components['schemas']
/** The JSON body a path + method answers with (200/201), e.g. `Answer<'/api/v1/me', 'get'>`. */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } }
}
  ? T
  : paths[P][M] extends { responses: { 201: { content: { 'application/json': infer T } } } }
    ? T
    : never

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export type Me = Schemas['MeOut']
export type TagRef = Schemas['TagRef']
export type Customer = Schemas['CustomerOut']
export type Relation = Schemas['RelationOut']
export type TimelineEntry = Schemas['TimelineOut']
export type CustomerDetail = Schemas['CustomerDetail']
export type Tag = Schemas['TagOut']
export type TagGroup = Schemas['TagGroupOut']
export type Employee = Schemas['EmployeeOut']
export type Department = Schemas['DepartmentOut']
export type GroupChat = Schemas['GroupChatOut']
export type BatchJob = Schemas['BatchTagJobOut']
