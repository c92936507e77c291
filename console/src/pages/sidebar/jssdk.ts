// The WeCom JS-SDK calls the frontline pages need (1:1 sidebar, group sidebar, workbench).
// This module is the ONE seam between Siyu's pages and WeCom's client: pages import only the
// functions below. Inside WeCom they go through `@wecom/jssdk` after `ww.register` with
// signatures from `GET /api/v1/jssdk/config`; outside WeCom a stand-in answers (today: it
// reads `?external_userid=` / `?chat_id=` and records what would be sent in
// `window.__siyuSent` / `window.__siyuShared`).
// TODO(issue 15, jssdk helper): register through @wecom/jssdk with signed config and a
// signature-checking sandbox stand-in; keep these exports and their meaning.

export type ChatMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'news'; news: { link: string; title: string; desc: string; imgUrl: string } }
  | { msgtype: 'image'; image: { mediaid: string } }
  | { msgtype: 'miniprogram'; miniprogram: { appid: string; title: string; imgUrl: string; page: string } }

export interface ShareAttachment {
  msgtype: 'link' | 'image' | 'miniprogram' | 'text'
  [key: string]: unknown
}

export interface ShareArgs {
  text?: { content: string }
  attachments?: ShareAttachment[]
  // shareToExternalContact / shareToExternalChat may preselect recipients
  externalUserIds?: string[]
  chatIds?: string[]
}

interface WxLike {
  invoke: (name: string, args: object, cb: (res: { err_msg: string; [key: string]: unknown }) => void) => void
}

type StandInWindow = { wx?: WxLike; __siyuSent?: ChatMessage[]; __siyuShared?: { api: string; args: ShareArgs }[] }

function wx(): WxLike | undefined {
  return (window as unknown as StandInWindow).wx
}

export function isStandIn(): boolean {
  return !wx()?.invoke
}

function invoke(name: string, args: object): Promise<{ err_msg: string; [key: string]: unknown }> {
  const w = wx()
  if (!w) return Promise.resolve({ err_msg: `${name}:fail no jssdk` })
  return new Promise((resolve) => w.invoke(name, args, resolve))
}

export async function getCurExternalContact(): Promise<string | null> {
  if (isStandIn()) return new URLSearchParams(location.search).get('external_userid')
  const res = await invoke('getCurExternalContact', {})
  return res.err_msg === 'getCurExternalContact:ok' ? ((res.userId as string) ?? null) : null
}

export async function getCurExternalChat(): Promise<string | null> {
  if (isStandIn()) return new URLSearchParams(location.search).get('chat_id')
  const res = await invoke('getCurExternalChat', {})
  return res.err_msg === 'getCurExternalChat:ok' ? ((res.chatId as string) ?? null) : null
}

export async function sendChatMessage(msg: ChatMessage): Promise<boolean> {
  if (isStandIn()) {
    const w = window as unknown as StandInWindow
    w.__siyuSent = [...(w.__siyuSent ?? []), msg]
    return true
  }
  const res = await invoke('sendChatMessage', { enterChat: false, ...msg })
  return res.err_msg === 'sendChatMessage:ok'
}

type ShareApi = 'shareToExternalContact' | 'shareToExternalChat' | 'shareToExternalMoments'

async function share(api: ShareApi, args: ShareArgs): Promise<boolean> {
  if (isStandIn()) {
    const w = window as unknown as StandInWindow
    w.__siyuShared = [...(w.__siyuShared ?? []), { api, args }]
    return true
  }
  const res = await invoke(api, args)
  return res.err_msg === `${api}:ok`
}

export const shareToExternalContact = (args: ShareArgs) => share('shareToExternalContact', args)
export const shareToExternalChat = (args: ShareArgs) => share('shareToExternalChat', args)
export const shareToExternalMoments = (args: ShareArgs) => share('shareToExternalMoments', args)
