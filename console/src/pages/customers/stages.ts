// Customer lifecycle stages (客户阶段): the corp's ordered list, shared by the drawer, the
// customer list, the stage settings tab and the SOP editor.
import { get, type Schemas } from '../../api'
import { useLoad } from '../../hooks'

export type CustomerStage = Schemas['CustomerStageOut']

export const STAGE_COLORS: Record<string, string> = { open: 'blue', won: 'green', lost: 'red' }

export const STAGE_KINDS: Record<string, [string, string]> = {
  open: ['跟进中', 'Open'],
  won: ['已成交', 'Won'],
  lost: ['已流失', 'Lost'],
}

export function useStages() {
  return useLoad(() => get<CustomerStage[]>('/customer-stages'), [])
}
