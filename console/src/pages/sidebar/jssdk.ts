// The WeCom JS-SDK calls the frontline pages need (1:1 sidebar, group sidebar, workbench).
// This module is the ONE seam between Siyu's pages and WeCom's client: pages import only the
// functions below. Before the first call it registers (`ww.register` of `@wecom/jssdk`) with
// both signatures of the page from `GET /api/v1/jssdk/config` (getConfigSignature with the
// corp's jsapi ticket, getAgentConfigSignature with the app's). A sandbox corp's config names
// the sandbox's stand-in `ww` (`sandbox_script`): it is loaded instead and checks the
// signatures against the sandbox's tickets, as WeCom does. If register fails, every call
// rejects with a `JssdkError` whose message says so (in the console's language).
import * as wecom from '@wecom/jssdk'
import { get } from '../../api'
import { uiLang } from '../../errorText'

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

interface JssdkConfig {
  corpid: string
  agentid: number
  timestamp: number
  nonce_str: string
  signature: string
  agent_timestamp: number
  agent_nonce_str: string
  agent_signature: string
  sandbox_script?: string | null
}

type Result = { errMsg: string; [key: string]: unknown }
type Api = (params?: object) => Promise<Result>

/** The part of `@wecom/jssdk` Siyu uses (the sandbox's stand-in has the same shape). */
interface Sdk {
  register: (options: wecom.RegisterOptions) => void
  ensureConfigReady: () => Promise<unknown>
  getCurExternalContact: Api
  getCurExternalChat: Api
  sendChatMessage: Api
  shareToExternalContact: Api
  shareToExternalChat: Api
  shareToExternalMoments: Api
}

const JS_API_LIST = [
  'getContext',
  'getCurExternalContact',
  'getCurExternalChat',
  'sendChatMessage',
  'shareToExternalContact',
  'shareToExternalChat',
  'shareToExternalMoments',
]

/** Register failed (or cannot happen here): `message` says why, in the console's language. */
export class JssdkError extends Error {}

const say = (zh: string, en: string) => (uiLang() === 'zh' ? zh : en)

function errMsgOf(e: unknown): string {
  if (e && typeof e === 'object' && 'errMsg' in e) return String((e as Result).errMsg)
  return e instanceof Error ? e.message : String(e)
}

function registerFailed(e: unknown): JssdkError {
  const why = errMsgOf(e)
  return new JssdkError(
    say(`企业微信 JS-SDK 注册失败（${why}），无法获取当前聊天或发送消息。请刷新重试；仍失败请联系管理员检查应用的可信域名和 Secret（siyu doctor）。`,
      `Registering the WeCom JS-SDK failed (${why}): the current chat cannot be read and nothing can be sent. Reload to retry; if it keeps failing, ask an admin to check the app's trusted domain and Secret (siyu doctor).`),
  )
}

const pageUrl = () => location.href.split('#')[0]
const fetchConfig = (url: string) => get<JssdkConfig>('/jssdk/config', { url })
const inWeCom = () => /wxwork/i.test(navigator.userAgent)

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const el = document.createElement('script')
    el.src = src
    el.async = true
    el.onload = () => resolve()
    el.onerror = () => reject(new Error(`cannot load ${src}`))
    document.head.appendChild(el)
  })
}

let standIn = false
let registered: Promise<Sdk> | null = null

async function register(): Promise<Sdk> {
  let first: JssdkConfig
  try {
    first = await fetchConfig(pageUrl())
  } catch (e) {
    throw registerFailed(e)
  }
  let sdk: Sdk = wecom as unknown as Sdk
  if (first.sandbox_script) {
    try {
      await loadScript(first.sandbox_script)
    } catch (e) {
      throw registerFailed(e)
    }
    sdk = (window as unknown as { ww: Sdk }).ww
    standIn = true
  } else if (!inWeCom()) {
    throw new JssdkError(say('请在企业微信中打开此页面：客户侧边栏和工作台需要企业微信的 JS-SDK。', 'Open this page inside WeCom: the sidebars and the workbench need the WeCom JS-SDK.'))
  }
  // the SDK asks again when the page's URL changed (a single-page app navigating)
  const signed = new Map<string, JssdkConfig>([[pageUrl(), first]])
  const configFor = async (url: string) => {
    const key = url.split('#')[0]
    let cfg = signed.get(key)
    if (!cfg) {
      cfg = await fetchConfig(key)
      signed.set(key, cfg)
    }
    return cfg
  }
  sdk.register({
    corpId: first.corpid,
    agentId: first.agentid,
    jsApiList: JS_API_LIST,
    async getConfigSignature(url: string) {
      const c = await configFor(url)
      return { timestamp: c.timestamp, nonceStr: c.nonce_str, signature: c.signature }
    },
    async getAgentConfigSignature(url: string) {
      const c = await configFor(url)
      return { timestamp: c.agent_timestamp, nonceStr: c.agent_nonce_str, signature: c.agent_signature }
    },
  })
  try {
    await sdk.ensureConfigReady()
  } catch (e) {
    throw registerFailed(e)
  }
  return sdk
}

/** The registered SDK; the first call registers, a failed register is tried again next time. */
function ready(): Promise<Sdk> {
  if (!registered) {
    registered = register()
    registered.catch(() => {
      registered = null
    })
  }
  return registered
}

/** True when the sandbox's stand-in answers instead of WeCom (known once registered). */
export function isStandIn(): boolean {
  return standIn
}

async function call(name: keyof Omit<Sdk, 'register' | 'ensureConfigReady'>, params?: object): Promise<Result | null> {
  const sdk = await ready()
  try {
    return await sdk[name](params)
  } catch {
    return null // WeCom answered `<api>:fail ...` (or the user cancelled)
  }
}

/** The external userid of the 1:1 chat the page is opened next to (null outside one). */
export async function getCurExternalContact(): Promise<string | null> {
  const res = await call('getCurExternalContact')
  return (res?.userId as string | undefined) ?? null
}

/** The chat id of the customer group the page is opened next to (null outside one). */
export async function getCurExternalChat(): Promise<string | null> {
  const res = await call('getCurExternalChat')
  return (res?.chatId as string | undefined) ?? null
}

/** Put a message into the current chat's input (WeCom shows it; the employee sends). */
export async function sendChatMessage(msg: ChatMessage): Promise<boolean> {
  const res = await call('sendChatMessage', { enterChat: false, ...msg })
  return res !== null
}

type ShareApi = 'shareToExternalContact' | 'shareToExternalChat' | 'shareToExternalMoments'

async function share(api: ShareApi, args: ShareArgs): Promise<boolean> {
  const res = await call(api, args)
  return res !== null
}

export const shareToExternalContact = (args: ShareArgs) => share('shareToExternalContact', args)
export const shareToExternalChat = (args: ShareArgs) => share('shareToExternalChat', args)
export const shareToExternalMoments = (args: ShareArgs) => share('shareToExternalMoments', args)
