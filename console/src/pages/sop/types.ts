// Shapes of /api/v1/sop (mirroring the OpenAPI schemas) and of the content library items.

export type TriggerKind = 'channel' | 'tag_added' | 'joined_group' | 'group_created' | 'stage_reached'

export interface SopStep {
  id?: number
  position?: number
  day: number
  minutes: number
  at_time: string
  text: string
  item_ids: number[]
}

export interface SopStats {
  running: number
  completed: number
  stopped: number
  scheduled: number
  due: number
  done: number
  skipped: number
  overdue: number
}

export interface SopTemplate {
  id: number
  name: string
  target: 'customer' | 'group'
  trigger: { kind: TriggerKind; channel_ids?: number[]; tag_ids?: string[]; chat_ids?: string[]; stage_ids?: number[] }
  stop: { tags_removed: string[]; converted_tags: string[]; stages?: number[] }
  enabled: boolean
  version: number
  steps: SopStep[]
  created_by: string
  created_at: string
  updated_at: string
  backfill_status: string
  backfill_total: number
  backfill_done: number
  stats: SopStats
}

export interface TemplateStats {
  totals: SopStats
  steps: { position: number; scheduled: number; open: number; done: number; skipped: number; overdue: number }[]
  employees: { userid: string; name: string; due: number; done: number; overdue: number }[]
}

export interface ContentPiece {
  kind: string
  title: string
  text: string
  url: string
  cover: string
  description: string
  item_id: number | null
}

export interface Todo {
  id: number
  template_id: number
  template_name: string
  position: number
  status: string
  userid: string
  employee_name: string
  customer_id: number | null
  customer_name: string
  external_userid: string
  chat_id: string
  group_name: string
  due_at: string
  overdue: boolean
  finished_at: string | null
  content: ContentPiece[]
}

export interface ContentItem {
  id: number
  kind: string
  title: string
  description: string
  url: string
  cover: string
  body: string
  folder: string
  tags: string[]
  uses: number
  opens: number
}

export const TRIGGERS: Record<TriggerKind, [string, string]> = {
  channel: ['通过渠道活码添加', 'Added through a channel code'],
  tag_added: ['被打上标签', 'Tag added'],
  joined_group: ['加入客户群', 'Joined a group chat'],
  group_created: ['新建客户群', 'Group chat created'],
  stage_reached: ['进入客户阶段', 'Reached a customer stage'],
}

export const KIND_NAMES: Record<string, [string, string]> = {
  text: ['文本', 'Text'],
  link: ['链接', 'Link'],
  image: ['图片', 'Image'],
  miniprogram: ['小程序', 'Mini program'],
  file: ['文件', 'File'],
  video: ['视频', 'Video'],
  article: ['文章', 'Article'],
}

/** "第 3 天 20:00" / "第 0 天 +10 分钟" */
export function whenLabel(s: SopStep, tr: (zh: string, en: string) => string): string {
  if (s.at_time) return tr(`第 ${s.day} 天 ${s.at_time}`, `day ${s.day} at ${s.at_time}`)
  return tr(`第 ${s.day} 天 +${s.minutes} 分钟`, `day ${s.day} +${s.minutes} min`)
}
