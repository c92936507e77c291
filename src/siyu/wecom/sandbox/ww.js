// Siyu's WeCom sandbox: a stand-in for @wecom/jssdk (window.ww) in a plain browser.
// register() asks the page for both signatures and has the sandbox check them against its
// jsapi tickets (POST /sandbox/jssdk/verify), as WeCom's client has WeCom check them. Until a
// register succeeded every API fails with WeCom's error shape ("<api>:fail no permission").
;(function () {
  'use strict'
  var base = new URL(document.currentScript.src).origin
  var ready = null // the outcome of the last register(): a promise of true, or a rejection
  var SIDEBAR = ['getCurExternalContact', 'getCurExternalChat', 'sendChatMessage']
  var SHARE = ['shareToExternalContact', 'shareToExternalChat', 'shareToExternalMoments']

  function failure(api, why, code) {
    return { errMsg: api + ':fail ' + why, errCode: code == null ? -1 : code }
  }

  function pageUrl() {
    return location.href.split('#')[0]
  }

  function check(api, options, signer) {
    var url = pageUrl()
    return Promise.resolve()
      .then(function () {
        if (typeof signer !== 'function') throw failure(api, 'missing signature function')
        return signer(url)
      })
      .then(function (sig) {
        return fetch(base + '/sandbox/jssdk/verify', {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain' },
          body: JSON.stringify({
            api: api,
            corpid: options.corpId,
            agentid: options.agentId,
            url: url,
            timestamp: sig && sig.timestamp,
            nonceStr: sig && sig.nonceStr,
            signature: sig && sig.signature,
          }),
        })
      })
      .then(function (r) {
        return r.json()
      })
      .then(
        function (res) {
          if (res.errCode !== 0) throw res
          return res
        },
        function (err) {
          throw err && err.errMsg ? err : failure(api, String((err && err.message) || err))
        },
      )
  }

  function call(fn, res) {
    if (typeof fn === 'function') {
      try {
        fn(res)
      } catch (e) {
        setTimeout(function () {
          throw e
        })
      }
    }
  }

  function register(options) {
    options = options || {}
    var config = check('config', options, options.getConfigSignature).then(
      function (res) {
        call(options.onConfigSuccess, res)
        call(options.onConfigComplete, res)
      },
      function (err) {
        call(options.onConfigFail, err)
        call(options.onConfigComplete, err)
        throw err
      },
    )
    ready = config.then(function () {
      return check('agentConfig', options, options.getAgentConfigSignature).then(
        function (res) {
          call(options.onAgentConfigSuccess, res)
          call(options.onAgentConfigComplete, res)
          return true
        },
        function (err) {
          call(options.onAgentConfigFail, err)
          call(options.onAgentConfigComplete, err)
          throw err
        },
      )
    })
    ready.catch(function () {}) // reported through the callbacks and to every API call
  }

  function ensureConfigReady() {
    return ready || Promise.reject(failure('config', 'ww.register was not called'))
  }

  function answer(api, params) {
    var query = new URLSearchParams(location.search)
    if (api === 'getCurExternalContact') {
      var userId = query.get('external_userid')
      if (!userId) throw failure(api, 'without context of external contact')
      return { userId: userId }
    }
    if (api === 'getCurExternalChat') {
      var chatId = query.get('chat_id')
      if (!chatId) throw failure(api, 'without context of external chat')
      return { chatId: chatId }
    }
    var args = {}
    Object.keys(params || {}).forEach(function (k) {
      if (['success', 'fail', 'cancel', 'complete'].indexOf(k) < 0) args[k] = params[k]
    })
    if (api === 'sendChatMessage') {
      var msg = { msgtype: args.msgtype }
      msg[args.msgtype] = args[args.msgtype]
      window.__siyuSent = (window.__siyuSent || []).concat([msg])
      return {}
    }
    window.__siyuShared = (window.__siyuShared || []).concat([{ api: api, args: args }])
    return {}
  }

  function api(name) {
    return function (params) {
      params = params || {}
      var outcome = (ready || Promise.reject(null))
        .then(
          function () {
            return null
          },
          function () {
            throw failure(name, 'no permission')
          },
        )
        .then(function () {
          var res = answer(name, params)
          res.errMsg = name + ':ok'
          res.errCode = 0
          return res
        })
      outcome.then(
        function (res) {
          call(params.success, res)
          call(params.complete, res)
        },
        function (err) {
          call(params.fail, err)
          call(params.complete, err)
        },
      )
      return outcome
    }
  }

  var ww = {
    SDK_VERSION: 'siyu-sandbox',
    isStandIn: true,
    register: register,
    ensureConfigReady: ensureConfigReady,
    invoke: function (name, params, callback) {
      var known = SIDEBAR.concat(SHARE).indexOf(name) >= 0
      var p = known ? api(name)(params) : Promise.reject(failure(name, 'not supported by the sandbox'))
      return p.then(
        function (res) {
          call(callback, res)
          return res
        },
        function (err) {
          call(callback, err)
          throw err
        },
      )
    },
  }
  SIDEBAR.concat(SHARE).forEach(function (name) {
    ww[name] = api(name)
  })
  window.ww = ww
})()
