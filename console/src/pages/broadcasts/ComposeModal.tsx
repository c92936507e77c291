// 群发: compose (text + audience + preview of recipients and cap).
import { useEffect, useState } from 'react'
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Row,
  Select,
  Space,
  Statistic,
  Typography,
} from 'antd'
import { SendOutlined } from '@ant-design/icons'
import type { Dayjs } from 'dayjs'
import { get, post, type Page } from '../../api'
import { useAuth } from '../../auth'
import { useAction, useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import { type Dir } from '../directory'
import type { Segment } from '../segments/SegmentsPage'
import type { Broadcast } from './shared'
import { ATTACHABLE, KINDS, type ContentItem } from '../content/shared'

interface Preview {
  total: number
  senders: number
  jobs: number
  cap_rule: string
  cap: number | null
  cap_blocked: number
  by_employee: { userid: string; recipients: number }[]
}

type Kind = 'customer' | 'group' | 'moment'

interface Compose {
  name: string
  text: string
  /** customer: 客户群发; group: 客户群群发; moment: 朋友圈 */
  kind: Kind
  visible_tag_ids?: string[]
  mode: 'filter' | 'segment'
  tags_any?: string[]
  tags_none?: string[]
  userid?: string
  segment_id?: number
  userids?: string[]
  scheduled_at?: Dayjs | null
  content_item_id?: number | null
}

function audienceBody(v: Compose) {
  const kind = v.kind ?? 'customer'
  if (kind !== 'customer') {
    // group: the chats of these owners (all when empty); moment: these employees post it
    return {
      kind,
      filter: {},
      userids: v.userids ?? [],
      segment_id: null,
      visible_tag_ids: kind === 'moment' ? (v.visible_tag_ids ?? []) : [],
    }
  }
  return {
    kind,
    filter:
      v.mode === 'filter'
        ? { tags_any: v.tags_any ?? [], tags_none: v.tags_none ?? [], userid: v.userid ?? null }
        : {},
    userids: v.userids ?? [],
    segment_id: v.mode === 'segment' ? (v.segment_id ?? null) : null,
  }
}

// WeCom's per-customer cap rules (broadcasts/caps.py): the period each one counts in
const CAP_RULES: Record<string, [string, string]> = {
  month4: ['每自然月', 'per calendar month'],
  days_of_month: ['每自然月', 'per calendar month'],
  week7: ['每自然周', 'per calendar week'],
  day1: ['每天', 'per day'],
}

export default function ComposeModal({ open, dir, onClose }: { open: boolean; dir: Dir; onClose: (b?: Broadcast) => void }) {
  const { tr } = useI18n()
  const [form] = Form.useForm<Compose>()
  const act = useAction()
  const [busy, setBusy] = useState(false)
  const values = Form.useWatch([], form) as Compose | undefined
  // managers and staff send only through the employees of their scope (the API narrows to it)
  const scope = useAuth().me?.visible_userids ?? null
  const employeeOptions = scope ? dir.employeeOptions.filter((o) => scope.includes(o.value)) : dir.employeeOptions
  const segments = useLoad(() => (open ? get<Segment[]>('/segments') : Promise.resolve([] as Segment[])), [open])
  const [contentKeyword, setContentKeyword] = useState('')
  const content = useLoad(
    () =>
      open
        ? get<Page<ContentItem>>('/content', { keyword: contentKeyword, limit: 50 })
        : Promise.resolve({ items: [], next_cursor: null } as Page<ContentItem>),
    [open, contentKeyword],
  )
  const contentOptions = (content.data?.items ?? [])
    .filter((i) => ATTACHABLE.includes(i.kind))
    .map((i) => ({ value: i.id, label: `[${tr(...KINDS[i.kind])}] ${i.title}` }))
  const audienceKey = JSON.stringify(values ? audienceBody(values) : null)
  // `key`: the audience the preview was computed for; sending waits until it is the current one
  const [preview, setPreview] = useState<{ data: Preview | null; error: string | null; busy: boolean; key: string }>({
    data: null,
    error: null,
    busy: false,
    key: '',
  })
  useEffect(() => {
    if (!open || !values) return
    if ((values.kind ?? 'customer') === 'customer' && values.mode === 'segment' && !values.segment_id) {
      setPreview({ data: null, error: null, busy: false, key: '' })
      return
    }
    let live = true
    setPreview((p) => ({ ...p, busy: true }))
    const t = setTimeout(() => {
      post<Preview>('/broadcasts/preview', JSON.parse(audienceKey))
        .then((data) => live && setPreview({ data, error: null, busy: false, key: audienceKey }))
        .catch((e: Error) => live && setPreview({ data: null, error: e.message, busy: false, key: audienceKey }))
    }, 400)
    return () => {
      live = false
      clearTimeout(t)
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [audienceKey, open])
  const close = (b?: Broadcast) => {
    form.resetFields()
    onClose(b)
  }
  const send = async () => {
    const v = await form.validateFields()
    const all = { ...form.getFieldsValue(true), ...v } as Compose
    setBusy(true)
    const created = await act(
      () =>
        post<Broadcast>('/broadcasts', {
          name: all.name,
          text: all.text,
          audience: audienceBody(all),
          scheduled_at: all.scheduled_at ? all.scheduled_at.toISOString() : null,
          content_item_id: all.kind === 'moment' ? null : (all.content_item_id ?? null),
        }),
      all.scheduled_at
        ? tr('群发已预约', 'Broadcast scheduled')
        : tr('群发已创建，正在提交给员工', 'Broadcast created; submitting to employees'),
    )
    setBusy(false)
    if (created) close(created)
  }
  const p = preview.data
  const current = !!p && !preview.busy && preview.key === audienceKey
  const kind: Kind = values?.kind ?? 'customer'
  const segmentName =
    kind === 'customer' && values?.mode === 'segment'
      ? (segments.data ?? []).find((s) => s.id === values.segment_id)?.name
      : undefined
  const audienceText = segmentName ? tr(`分群「${segmentName}」的`, `segment “${segmentName}”: `) : ''
  const total = (p?.total ?? 0).toLocaleString()
  const posters = values?.userids?.length ?? 0
  const confirmText =
    kind === 'group'
      ? tr(`将向 ${total} 个客户群群发（${p?.senders ?? 0} 位群主确认后发送），确定？`, `Send to ${total} group chats (${p?.senders ?? 0} owners confirm)?`)
      : kind === 'moment'
        ? posters
          ? tr(`将请 ${posters} 位员工发表这条朋友圈，确定？`, `Ask ${posters} employees to post this moment?`)
          : tr('将请全部员工发表这条朋友圈，确定？', 'Ask every employee to post this moment?')
        : tr(
            `将向${audienceText} ${total} 位客户群发（${p?.senders ?? 0} 位员工确认后发送），确定？`,
            `Send to ${audienceText}${total} customers (${p?.senders ?? 0} employees confirm)?`,
          )
  return (
    <Modal
      open={open}
      width={760}
      title={tr('新建群发', 'New broadcast')}
      onCancel={() => close()}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={() => close()}>{tr('取消', 'Cancel')}</Button>
          <Popconfirm
            title={
              <span data-testid="broadcast-confirm-text">
                {confirmText}
              </span>
            }
            onConfirm={() => void send()}
            okButtonProps={{ 'data-testid': 'broadcast-confirm' } as Record<string, string>}
          >
            <Button type="primary" icon={<SendOutlined />} loading={busy} disabled={!current || !p || (kind !== 'moment' && p.total === 0)} data-testid="broadcast-send">
              {tr('发送', 'Send')}
            </Button>
          </Popconfirm>
        </Space>
      }
    >
      <Form form={form} name="broadcast_compose" layout="vertical" preserve initialValues={{ kind: 'customer', mode: 'filter', text: '' }}>
        <Row gutter={16}>
          <Col xs={24} md={14}>
            <Form.Item name="kind" label={tr('群发类型', 'Kind')}>
              <Radio.Group
                optionType="button"
                data-testid="broadcast-kind"
                options={[
                  { label: tr('群发客户', 'Customers'), value: 'customer' },
                  { label: tr('群发客户群', 'Group chats'), value: 'group' },
                  { label: tr('发表朋友圈', 'Moments'), value: 'moment' },
                ]}
              />
            </Form.Item>
            <Form.Item name="name" label={tr('任务名称', 'Name')} rules={[{ required: true, message: tr('请输入名称', 'Enter a name') }]}>
              <Input maxLength={100} data-testid="broadcast-name-input" />
            </Form.Item>
            <Form.Item
              name="text"
              label={tr('消息内容', 'Message')}
              rules={[{ required: true, message: tr('请输入消息内容', 'Enter the message') }]}
            >
              <Input.TextArea rows={5} maxLength={kind === 'moment' ? 2000 : 1300} showCount data-testid="broadcast-text" />
            </Form.Item>
            <Form.Item
              hidden={kind === 'moment'}
              name="content_item_id"
              label={tr('附带素材', 'Attach content')}
              extra={tr(
                '链接和文章以雷达链接发出：客户打开后经授权识别，打开数据显示在群发详情中。',
                'Links and articles go out as radar links: openers are identified by OAuth and shown in the broadcast’s details.',
              )}
            >
              <Select
                allowClear
                showSearch={{ filterOption: false, onSearch: (v: string) => setContentKeyword(v) }}
                placeholder={tr('从素材库选择（可选）', 'Pick from the library (optional)')}
                options={contentOptions}
                data-testid="broadcast-content"
              />
            </Form.Item>
            {kind === 'customer' && (<>
            <Form.Item name="mode" label={tr('发送对象', 'Audience')}>
              <Radio.Group
                options={[
                  { label: tr('按条件筛选', 'By filter'), value: 'filter' },
                  { label: tr('已保存的分群', 'Saved segment'), value: 'segment' },
                ]}
              />
            </Form.Item>
            {values?.mode === 'segment' ? (
              <Form.Item
                name="segment_id"
                label={tr('客户分群', 'Segment')}
                rules={[{ required: true, message: tr('请选择分群', 'Pick a segment') }]}
                extra={tr('输入名称搜索，再点选分群；回车不会替你选择。', 'Type to search, then click a segment; Enter never picks one for you.')}
              >
                <Select
                  data-testid="broadcast-segment"
                  allowClear
                  // typing + Enter must not pick the first match (it once sent to a whole segment by accident)
                  showSearch={{ optionFilterProp: 'label' }}
                  defaultActiveFirstOption={false}
                  notFoundContent={tr('没有匹配的分群', 'No matching segment')}
                  options={(segments.data ?? []).map((s) => ({ label: s.name, value: s.id }))}
                  placeholder={tr('搜索并选择分群', 'Search and pick a segment')}
                />
              </Form.Item>
            ) : (
              <>
                <Form.Item name="tags_any" label={tr('含任一标签', 'Has any of the tags')}>
                  <Select mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} options={dir.tagOptions} data-testid="broadcast-tags" />
                </Form.Item>
                <Form.Item name="tags_none" label={tr('排除标签', 'Has none of the tags')}>
                  <Select mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} options={dir.tagOptions} />
                </Form.Item>
                <Form.Item name="userid" label={tr('跟进员工', 'Followed by')}>
                  <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={employeeOptions} />
                </Form.Item>
              </>
            )}
            </>)}
            <Form.Item
              name="userids"
              label={kind === 'group' ? tr('群主', 'Group owners') : kind === 'moment' ? tr('发表员工', 'Posted by') : tr('发送员工', 'Senders')}
              extra={
                scope
                  ? tr('为空时由你负责范围内的员工发送，只发给他们的客户（或他们的客户群）。', 'Empty: the employees of your scope send, to their own customers (or group chats) only.')
                  : kind === 'group'
                  ? tr('为空时发到所有客户群，由各群群主确认发送；每个群只收到一次。', 'Empty: every group chat, each sent by its owner after confirming; each group gets it once.')
                  : kind === 'moment'
                    ? tr('为空时请全部员工发表；员工在企业微信中确认后发表到朋友圈。', 'Empty: every employee; each posts it to their moments after confirming in WeCom.')
                    : tr('为空时由客户的归属员工发送；每位客户只收到一次。', 'Empty: each customer’s owner sends; every customer gets it once.')
              }
            >
              <Select mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} options={employeeOptions} data-testid="broadcast-userids" />
            </Form.Item>
            {kind === 'moment' && (
              <Form.Item
                name="visible_tag_ids"
                label={tr('可见客户标签', 'Visible to customers tagged')}
                extra={tr('为空时员工的全部客户可见。', 'Empty: every customer of the employee sees it.')}
              >
                <Select mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} options={dir.tagOptions} data-testid="broadcast-visible-tags" />
              </Form.Item>
            )}
            <Form.Item
              name="scheduled_at"
              label={tr('定时发送', 'Schedule')}
              extra={tr('留空则立即发送。', 'Leave empty to send now.')}
            >
              <DatePicker
                showTime={{ format: 'HH:mm' }}
                format="YYYY-MM-DD HH:mm"
                disabledDate={(d) => d.isBefore(new Date(), 'day')}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={10}>
            <Card size="small" title={tr('发送预估', 'Preview')} loading={preview.busy && !p} data-testid="broadcast-preview">
              {preview.error && <Alert type="error" showIcon title={preview.error} />}
              {p && kind === 'moment' ? (
                <Space orientation="vertical" style={{ width: '100%' }} data-testid="preview-moment">
                  <Statistic
                    title={tr('发表员工', 'Posted by')}
                    value={posters || tr('全部员工', 'Every employee')}
                  />
                  <Typography.Text type="secondary">
                    {tr(
                      '朋友圈没有收件人列表：员工确认后发表，哪些客户能看到由企业微信按可见标签决定。',
                      'A moment has no recipient list: employees post it after confirming; WeCom decides who sees it by the visible tags.',
                    )}
                  </Typography.Text>
                  {values?.text && (
                    <div style={{ background: '#ededed', borderRadius: 8, padding: 10, whiteSpace: 'pre-wrap' }}>{values.text}</div>
                  )}
                </Space>
              ) : p ? (
                <Space orientation="vertical" style={{ width: '100%' }}>
                  {segmentName && (
                    <Typography.Text data-testid="preview-segment">
                      {tr('分群', 'Segment')}：{segmentName}
                    </Typography.Text>
                  )}
                  <Row>
                    <Col span={12}>
                      <Statistic
                        title={kind === 'group' ? tr('客户群', 'Group chats') : tr('客户', 'Recipients')}
                        value={p.total}
                        data-testid="preview-total"
                      />
                    </Col>
                    <Col span={12}>
                      <Statistic title={kind === 'group' ? tr('群主', 'Owners') : tr('员工', 'Senders')} value={p.senders} />
                    </Col>
                  </Row>
                  <Statistic
                    title={tr('频次限制将拦截', 'Blocked by the frequency cap')}
                    value={p.cap_blocked}
                    valueStyle={p.cap_blocked ? { color: '#fa8c16' } : undefined}
                    data-testid="preview-capped"
                  />
                  <Typography.Text type="secondary">
                    {p.cap === null
                      ? tr('未设置频次限制', 'No frequency cap')
                      : kind === 'group'
                        ? tr(
                            `每个客户群${(CAP_RULES[p.cap_rule] ?? CAP_RULES.month4)[0]}最多收到 ${p.cap} 条`,
                            `Each group chat receives at most ${p.cap} ${(CAP_RULES[p.cap_rule] ?? CAP_RULES.month4)[1]}`,
                          )
                        : tr(
                          `每位客户${(CAP_RULES[p.cap_rule] ?? CAP_RULES.month4)[0]}最多收到 ${p.cap} 条`,
                          `Each customer receives at most ${p.cap} ${(CAP_RULES[p.cap_rule] ?? CAP_RULES.month4)[1]}`,
                        )}
                  </Typography.Text>
                  {values?.text && (
                    <div style={{ background: '#ededed', borderRadius: 8, padding: 10 }}>
                      <div style={{ background: '#fff', borderRadius: 6, padding: '8px 10px', whiteSpace: 'pre-wrap' }}>
                        {values.text}
                      </div>
                    </div>
                  )}
                </Space>
              ) : (
                !preview.error && <Typography.Text type="secondary">{tr('选择发送对象后显示人数。', 'Pick an audience to see the count.')}</Typography.Text>
              )}
            </Card>
          </Col>
        </Row>
      </Form>
    </Modal>
  )
}
