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
