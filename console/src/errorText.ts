// The API's messages are English sentences for integrators (`detail`); a Chinese operator reads
// them in Chinese. Known sentences (by pattern) get their translation; anything else a Chinese
// sentence by HTTP status, never the English. In English the message stays as the API wrote it.

export const uiLang = (): 'zh' | 'en' => (localStorage.getItem('siyu.lang') === 'en' ? 'en' : 'zh')

const NOUNS: Record<string, string> = {
  customer: '客户',
  customers: '客户',
  'customer stage': '客户阶段',
  'customer stage(s)': '客户阶段',
  employee: '员工',
  employees: '员工',
  'employee(s)': '员工',
  department: '部门',
  'department(s)': '部门',
  tag: '标签',
  tags: '标签',
  'tag id': '标签',
  'tag id(s)': '标签',
  'tag group': '标签组',
  'content item': '素材',
  task: '任务',
  'to-do': '待办',
  broadcast: '群发',
  segment: '人群',
  snapshot: '人群快照',
  'rule tag': '规则标签',
  'group code': '群活码',
  'channel code': '渠道活码',
  'channel group(s)': '渠道分组',
  'group chat': '客户群',
  folder: '文件夹',
  file: '文件',
  asset: '图片',
  user: '用户',
  'sync run': '同步记录',
  'batch tag job': '批量打标签任务',
  corp: '企业',
}

const STATUS: Record<string, string> = {
  draft: '草稿',
  planning: '准备中',
  scheduled: '已定时',
  running: '进行中',
  submitted: '已提交',
  done: '已完成',
  finished: '已结束',
  ended: '已结束',
  cancelled: '已取消',
  canceled: '已取消',
  failed: '失败',
  pending: '等待中',
  interrupted: '已中断',
  open: '待处理',
  expired: '已过期',
}

const noun = (en: string) => NOUNS[en.toLowerCase()] ?? null
const status = (en: string) => STATUS[en.toLowerCase()] ?? null

type Rule = [RegExp, (m: RegExpMatchArray) => string | null]

const RULES: Rule[] = [
  [/^the username or password is wrong/i, () => '用户名或密码错误，或账号已停用'],
  [/^the current password is wrong/i, () => '当前密码错误'],
  [/^too many failed sign-ins; try again in (\d+) seconds/i, (m) => `登录失败次数过多，请 ${m[1]} 秒后再试`],
  [/^choose a new password, not the current one/i, () => '新密码不能与当前密码相同'],
  [/^change the one-time password you were given/i, () => '请先修改管理员提供的一次性密码'],
  [/^the sign-in link expired/i, () => '登录链接已过期或无效，请重新登录'],
  [/^sign in, or send an API key/i, () => '请先登录'],
  [/^the API key is not valid/i, () => 'API 密钥无效或已撤销'],
  [/csrf/i, () => '页面已过期，请刷新后重试'],
  [/role may not change settings/i, () => '只有管理员可以修改设置'],
  [/role may not do this/i, () => '当前角色无权执行此操作（仅管理员和运营）'],
  [/^you may not (see|edit|tag)/i, () => '没有权限：该员工不在你的数据范围内'],
  [/^WeCom is rate-limiting/i, () => '企业微信调用过于频繁，未做任何修改，请一分钟后重试'],
  [/^WeCom is unreachable/i, () => '暂时连不上企业微信，未做任何修改，请一分钟后重试'],
  [/^WeCom refused the request: .*\(errcode (-?\d+)\)/i, (m) => `企业微信拒绝了请求（错误码 ${m[1]}）`],
  [/^(\S+): .*\(errcode (-?\d+)\)$/, (m) => `${m[1]}：企业微信返回错误（错误码 ${m[2]}）`],
  [/\(errcode (-?\d+)\)/, (m) => `企业微信返回错误（错误码 ${m[1]}）`],
  [/stored secrets cannot be read|SIYU_SECRET_KEY/i, () => '服务器的密钥已更换，保存的企业微信凭据无法读取，请在设置中重新填写'],
  [
    /^(customer stage|customer|employee|tag group|content item|task|to-do|broadcast|segment|snapshot|rule tag|group code|channel code|group chat|folder|file|asset|user|sync run|batch tag job|corp) (\S+) does not exist/i,
    (m) => `${noun(m[1])} ${m[2]} 不存在或已删除`,
  ],
  [/^this content no longer exists/i, () => '该素材已不存在'],
  [/^content item (\S+) is archived/i, (m) => `素材 ${m[1]} 已归档`],
  [
    /^unknown (customer stage\(s\)|channel group\(s\)|tag id\(s\)|tag id|employee\(s\)|department\(s\)|tags?|employees?|departments?|customers?|group chat):\s*(.*)$/i,
    (m) => `未知的${noun(m[1]) ?? ''}：${m[2]}`,
  ],
  [/^unknown time zone (.+)$/i, (m) => `未知的时区：${m[1]}`],
  [/^user (\S+) already exists/i, (m) => `用户 ${m[1]} 已存在`],
  [/^(?:a |an )?([a-z ]+?) named (.+) already exists/i, (m) => `已存在名为「${m[2]}」的${noun(m[1]) ?? ''}`],
  [/^state (\S+) is already used by another (group|channel) code/i, (m) => `渠道参数 ${m[1]} 已被另一个${m[2] === 'group' ? '群活码' : '渠道活码'}使用`],
  [/^the name (.+) appears twice/i, (m) => `名称「${m[1]}」重复了`],
  [/^the group already has the tags: (.*)$/i, (m) => `标签组里已有这些标签：${m[1]}`],
  [/^(\d+) customers are at stage (.+); move them/i, (m) => `有 ${m[1]} 位客户处于阶段「${m[2]}」，请先把他们移到其他阶段`],
  [/^only a draft can be edited/i, () => '只有草稿可以编辑'],
  [/^only a running task can be reminded/i, () => '只有进行中的任务可以提醒'],
  [/^moments cannot be reminded/i, () => '朋友圈群发不能提醒'],
  [/^the (task|broadcast) is already (\w+)/i, (m) => `该${m[1] === 'task' ? '任务' : '群发'}已是「${status(m[2]) ?? m[2]}」状态`],
  [/^the task is (\w+)$/i, (m) => `该任务已是「${status(m[1]) ?? m[1]}」状态`],
  [/^batch tag job \S+ is already (\w+)/i, (m) => `批量打标签任务已是「${status(m[1]) ?? m[1]}」状态`],
  [/^to-do \S+ is (\w+), not open/i, (m) => `该待办已是「${status(m[1]) ?? m[1]}」状态`],
  [/^the cursor/i, () => '分页已失效，请刷新后重试'],
  [/^the rule is nested more than (\d+) levels deep/i, (m) => `规则嵌套太深（最多 ${m[1]} 层）`],
  [/^the rule has more than (\d+) nodes/i, (m) => `规则的条件太多（最多 ${m[1]} 个）`],
  [/^a number in the request is out of range/i, () => '数字超出范围'],
  [/^the request( body)? is nested too deeply/i, () => '提交的内容嵌套太深'],
  [/^start must not be after end/i, () => '开始日期不能晚于结束日期'],
  [/at most (\d+) days/i, (m) => `最多选择 ${m[1]} 天`],
  [/^a time needs its zone|needs a time zone/i, () => '时间缺少时区'],
  [/text and attachments may not both be empty/i, () => '文字和附件不能都为空'],
  [/welcome text is empty and there is no attachment/i, () => '欢迎语的文字和附件不能都为空'],
  [/exceeds (?:WeCom's )?(\d+) bytes/i, (m) => `内容超过企业微信 ${m[1]} 字节的上限`],
  [/is not known to Siyu yet|run a sync/i, () => '该员工尚未同步到私域，请先同步'],
  [/^no heartbeat: the worker stopped/i, () => '后台任务意外停止；再次同步会从中断处继续'],
  [/^a (\w+) must be linked to a WeCom employee/i, () => '经理和员工账号需要关联一位企业微信员工'],
  [/^the folder name is empty/i, () => '文件夹名称不能为空'],
  [/^the API base must be an http/i, () => 'API 地址必须是 http(s) 网址'],
  [/^the EncodingAESKey is invalid/i, () => 'EncodingAESKey 无效'],
  [/^format must be csv or xlsx/i, () => '导出格式只能是 CSV 或 XLSX'],
  [/^not found$/i, () => '未找到'],
]

const BY_STATUS: Record<number, string> = {
  0: '网络连接失败，请检查网络后重试',
  400: '请求不符合要求，请检查后重试',
  401: '登录已过期，请重新登录',
  403: '没有权限执行此操作',
  404: '要找的内容不存在或已删除',
  409: '与当前状态冲突，请刷新后重试',
  413: '文件太大',
  422: '提交的内容不符合要求，请检查后重试',
  429: '操作太频繁，请稍后重试',
  502: '企业微信返回错误，请稍后重试',
  503: '服务暂时不可用，请稍后重试',
}

/** A Chinese sentence for a known English message of the API, or null. */
export function zhText(text: string): string | null {
  const s = text.replace(/^Value error, /, '').trim()
  // a sentence the API already wrote in Chinese (the profile's rules); an English sentence that
  // merely names something Chinese starts with a Latin word and goes through the rules below
  if (/^[^A-Za-z]*[\u4e00-\u9fff]/.test(s)) return s
  for (const [re, say] of RULES) {
    const m = s.match(re)
    if (m) {
      const zh = say(m)
      if (zh) return zh
    }
  }
  return null
}

/** Text from the API (an error, a failure reason) in the console's language. */
export function localText(text: string | null | undefined, fallback = '出现错误'): string {
  if (!text) return ''
  if (uiLang() === 'en') return text
  return zhText(text) ?? fallback
}

const FIELDS: Record<string, string> = {
  name: '名称',
  title: '标题',
  text: '内容',
  url: '链接',
  username: '用户名',
  password: '密码',
  remark: '备注',
  description: '描述',
  userids: '员工',
  tag_ids: '标签',
  deadline: '截止时间',
  scheduled_at: '发送时间',
  limit: '每页条数',
}

/** An error response of the API as one sentence in the console's language. */
export function errorText(status: number, body: unknown): string {
  const detail = (body as { detail?: unknown } | null)?.detail
  const zh = uiLang() === 'zh'
  if (typeof detail === 'string') {
    if (!zh) return detail
    return zhText(detail) ?? BY_STATUS[status] ?? (status >= 500 ? BY_STATUS[503] : `操作失败（HTTP ${status}）`)
  }
  if (Array.isArray(detail)) {
    const items = detail as { loc?: unknown[]; msg?: string; type?: string }[]
    if (!zh) return items.map((d) => `${(d.loc || []).slice(1).join('.')}: ${d.msg}`).join('; ')
    return items
      .map((d) => {
        const field = FIELDS[String((d.loc || []).at(-1))] ?? ''
        const own = d.msg ? zhText(d.msg) : null
        const what = own ?? (d.type === 'missing' ? '必填' : d.type?.includes('too_long') ? '过长' : d.type?.includes('too_short') ? '太短' : d.type?.includes('than') ? '超出范围' : '格式不对')
        return field ? `${field}：${what}` : (own ?? BY_STATUS[422])
      })
      .filter((v, i, all) => all.indexOf(v) === i)
      .join('；')
  }
  if (zh) return BY_STATUS[status] ?? (status >= 500 ? BY_STATUS[503] : `操作失败（HTTP ${status}）`)
  return status === 0 ? 'Network error: check the connection and try again' : `HTTP ${status}`
}
