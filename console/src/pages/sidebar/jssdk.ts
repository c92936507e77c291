// The WeCom JS-SDK call the sidebar needs, with a stand-in outside WeCom (the sandbox):
// inside WeCom `wx.invoke('getCurExternalContact')` answers the chat's customer; in a normal
// browser the customer comes from `?external_userid=` (set by the sidebar's picker).

interface WxLike {
  invoke: (name: string, args: object, cb: (res: { err_msg: string; userId?: string }) => void) => void
}

export function getCurExternalContact(): Promise<string | null> {
  const wx = (window as unknown as { wx?: WxLike }).wx
  if (wx?.invoke) {
    return new Promise((resolve) =>
      wx.invoke('getCurExternalContact', {}, (res) =>
        resolve(res.err_msg === 'getCurExternalContact:ok' ? res.userId ?? null : null),
      ),
    )
  }
  return Promise.resolve(new URLSearchParams(location.search).get('external_userid'))
}

// sendChatMessage: inside WeCom the JS-SDK puts the message into the current chat (the
// employee taps send). Outside WeCom (the sandbox in a normal browser) a stand-in records the
// message in `window.__siyuSent` and answers ok, so the flow can be tried and tested.

export type ChatMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'news'; news: { link: string; title: string; desc: string; imgUrl: string } }

interface WxSend {
  invoke: (name: string, args: object, cb: (res: { err_msg: string }) => void) => void
}

export function isStandIn(): boolean {
  return !(window as unknown as { wx?: WxSend }).wx?.invoke
}

export function sendChatMessage(msg: ChatMessage): Promise<boolean> {
  const w = window as unknown as { wx?: WxSend; __siyuSent?: ChatMessage[] }
  if (w.wx?.invoke) {
    const wx = w.wx
    return new Promise((resolve) =>
      wx.invoke('sendChatMessage', { enterChat: false, ...msg }, (res) => resolve(res.err_msg === 'sendChatMessage:ok')),
    )
  }
  w.__siyuSent = [...(w.__siyuSent ?? []), msg]
  return Promise.resolve(true)
}
