// 素材库: shapes of /api/v1/content and a multipart upload helper.
import { ApiError } from '../../api'

export type Kind = 'text' | 'link' | 'image' | 'miniprogram' | 'file' | 'video' | 'article'

export interface ContentItem {
  id: number
  kind: Kind
  title: string
  description: string
  url: string
  cover: string
  body: string
  folder: string
  folder_id: number | null
  tags: string[]
  appid: string
  page: string
  file_id: number | null
  filename: string
  size: number
  uses: number
  sends: number
  opens: number
  unique_openers: number
  media_id: string
  archived_at: string | null
  created_at: string
  updated_at: string
}

export interface Folder {
  id: number
  name: string
  parent_id: number | null
  items: number
}

export interface RadarOpen {
  id: number
  customer_id: number | null
  customer_name: string
  userid: string
  opened_at: string
  broadcast_id: number | null
  identified_by: string
  read_seconds: number
  link_revoked: boolean
}

export interface ContentStats {
  uses: number
  sends: number
  opens: number
  unique_openers: number
  identified_opens: number
  anonymous_opens: number
  read_seconds_total: number
  read_seconds_avg: number
  recent: RadarOpen[]
}

export const KINDS: Record<Kind, [string, string]> = {
  link: ['链接', 'Link'],
  article: ['文章', 'Article'],
  image: ['图片', 'Image'],
  file: ['文件', 'File'],
  video: ['视频', 'Video'],
  miniprogram: ['小程序', 'Mini-program'],
  text: ['文本', 'Text'],
}

/** Kinds a broadcast can carry (text goes in the message itself). */
export const ATTACHABLE: Kind[] = ['link', 'article', 'image', 'miniprogram', 'file', 'video']

export function readTime(seconds: number, tr: (zh: string, en: string) => string): string {
  if (!seconds) return '—'
  const m = Math.floor(seconds / 60)
  const s = seconds % 60
  return m ? tr(`${m} 分 ${s} 秒`, `${m} min ${s} s`) : tr(`${s} 秒`, `${s} s`)
}

function csrf(): string {
  const m = document.cookie.match(/(?:^|;\s*)siyu_csrf=([^;]+)/)
  return m ? decodeURIComponent(m[1]) : ''
}

/** POST a multipart form to /api/v1<path>; errors carry the API's sentence. */
export async function upload<T>(path: string, form: FormData): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method: 'POST',
    body: form,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'X-Siyu-CSRF': csrf() },
  })
  const text = await res.text()
  let data: unknown = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    data = { detail: text }
  }
  if (!res.ok) {
    const detail = (data as { detail?: unknown })?.detail
    const msg = typeof detail === 'string' ? detail : Array.isArray(detail) ? detail.map((d: { msg?: string }) => d.msg).join('; ') : `HTTP ${res.status}`
    throw new ApiError(res.status, msg)
  }
  return data as T
}
