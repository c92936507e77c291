// 群活码: types from the OpenAPI document.
import type { Schemas } from '../../api'

export type GroupCode = Schemas['GroupCodeOut']
export type GroupStatRow = Schemas['GroupStatRow']
export type GroupCodeStats = Schemas['GroupCodeStats']
export type ChatOption = Pick<Schemas['GroupChatOut'], 'chat_id' | 'name' | 'owner' | 'member_count'>
