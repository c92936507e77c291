// 群活码: shared types.
export interface GroupCode {
  id: number
  name: string
  state: string
  config_id: string
  qr_code: string
  chat_ids: string[]
  auto_create_room: boolean
  room_base_name: string
  room_base_id: number
  created_at: string
  joins: number
}

export interface GroupStatRow {
  chat_id: string
  name: string
  members: number
  capacity: number
  joins: number
  leaves: number
}

export interface GroupCodeStats {
  code_id: number
  joins: number
  leaves: number
  net: number
  groups: GroupStatRow[]
  start: string | null
  end: string | null
  trend: { day: string; joins: number; leaves: number }[]
}

export interface ChatOption {
  chat_id: string
  name: string
  owner: string
  member_count: number
}
