// 渠道活码: list (filters, cursor pages, export), create wizard, QR / poster, duty and stats.
import { useEffect, useMemo, useState } from 'react'
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Image,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Row,
  Select,
  Space,
  Statistic,
  Steps,
  Switch,
  Table,
  Tag,
  TimePicker,
  Typography,
} from 'antd'
import { DeleteOutlined, DownloadOutlined, PlusOutlined, QrcodeOutlined, ReloadOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { del, get, patch, post, query, type Page } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import Chart from '../../Chart'
import { useDirectory, type Dir } from '../directory'

export interface ChannelCode {
  id: number
  name: string
  group_name: string
  state: string
  config_id: string
  qr_code: string
  userids: string[]
  skip_verify: boolean
  tag_ids: string[]
  remark_template: string
  staff: StaffRule[]
  backups: string[]
  welcome: { text: string; attachments: unknown[] } | null
  members: string[]
  applied_skip_verify: boolean
  created_at: string
}

interface Duty {
  channel_id: number
  on_duty: string[]
  off_duty: Record<string, string>[]
  members: string[]
  skip_verify: boolean
  adds_today: Record<string, number>
}

interface StatRow {
  key: string
  label: string
  adds: number
  lost: number
  net: number
  lost_1d: number
  lost_7d: number
  retained: number
}

interface Stats {
  start: string
  end: string
  rows: StatRow[]
  totals: StatRow
  trend: { day: string; adds: number; lost: number; net: number }[]
}

interface Filters {
  keyword?: string
  group_name?: string
  userid?: string
}

interface Draft {
  name: string
  group_name?: string
  userids: string[]
  skip_verify: boolean
  tag_ids?: string[]
  remark_template?: string
  welcome_text?: string
  staff?: { userid: string; days: number[]; time?: [Dayjs, Dayjs] | null; daily_cap?: number | null }[]
  backups?: string[]
}

interface StaffRule {
  userid: string
  daily_cap: number | null
  days: number[]
  start: string
  end: string
}

function weekdays(tr: (zh: string, en: string) => string) {
  const zh = ['一', '二', '三', '四', '五', '六', '日']
  const en = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
  return zh.map((d, i) => ({ value: i + 1, label: tr(`周${d}`, en[i]) }))
}

function toRules(staff: Draft['staff']): StaffRule[] {
  return (staff ?? [])
    .filter((r) => r?.userid)
    .map((r) => {
      const end = r.time?.[1]?.format('HH:mm')
      return {
        userid: r.userid,
        days: r.days,
        daily_cap: r.daily_cap ?? null,
        start: r.time?.[0]?.format('HH:mm') ?? '00:00',
        end: !end || end === '00:00' || end === '23:59' ? '24:00' : end,
      }
    })
}

function offReason(r: string, tr: (zh: string, en: string) => string): string {
  if (r === 'not a working day') return tr('非接待日', r)
  if (r === 'outside working hours') return tr('不在接待时段', r)
  const cap = r.match(/^daily cap of (\d+) reached$/)
  if (cap) return tr(`已达每日上限 ${cap[1]} 人`, r)
  return r
}

function fromRules(rules: StaffRule[]): Draft['staff'] {
  const at = (hhmm: string) => dayjs(`2000-01-01 ${hhmm === '24:00' ? '23:59' : hhmm}`)
  return rules.map((r) => ({
    userid: r.userid,
    days: r.days,
    daily_cap: r.daily_cap,
    time: r.start === '00:00' && r.end === '24:00' ? null : [at(r.start), at(r.end)],
  }))
}

const PAGE = 20

export default function ChannelCodesPage() {
  const { tr } = useI18n()
  const [form] = Form.useForm<Filters>()
  const [filters, setFilters] = useState<Filters>({})
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const [creating, setCreating] = useState(false)
  const [editing, setEditing] = useState<ChannelCode | null>(null)
  const [open, setOpen] = useState<ChannelCode | null>(null)
  const dir = useDirectory()
  const act = useAction()
  const cursor = cursors[cursors.length - 1]
  const page = useLoad(
    () => get<Page<ChannelCode>>('/acquisition/channels', { ...filters, limit: PAGE, cursor }),
    [filters, cursor],
  )
  const apply = (v: Filters) => {
    setFilters(v)
    setCursors([null])
  }
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card>
        <Form form={form} layout="inline" onFinish={apply} style={{ rowGap: 8 }}>
          <Form.Item name="keyword">
            <Input allowClear placeholder={tr('名称 / state', 'Name / state')} style={{ width: 180 }} />
          </Form.Item>
          <Form.Item name="group_name">
            <Input allowClear placeholder={tr('分组', 'Group')} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="userid">
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={tr('员工', 'Employee')}
              style={{ width: 160 }}
              options={dir.employeeOptions}
            />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              {tr('筛选', 'Filter')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields()
                apply({})
              }}
            >
              {tr('重置', 'Reset')}
            </Button>
          </Space>
        </Form>
      </Card>
      <Card
        title={tr('渠道活码', 'Channel codes')}
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={() => void page.reload()} aria-label="reload" />
            <Button
              icon={<DownloadOutlined />}
              href={`/api/v1/acquisition/channels/export${query({ ...filters, format: 'xlsx' })}`}
            >
              {tr('导出', 'Export')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-channel">
              {tr('新建活码', 'New code')}
            </Button>
          </Space>
        }
      >
        {page.error && <Alert type="error" showIcon title={page.error} style={{ marginBottom: 12 }} />}
        <Table<ChannelCode>
          rowKey="id"
          size="middle"
          loading={page.loading}
          dataSource={page.data?.items ?? []}
          pagination={false}
          scroll={{ x: 900 }}
          locale={{
            emptyText: (
              <Empty
                description={tr(
                  '还没有渠道活码。点击「新建活码」，为门店、海报或广告投放生成带来源的二维码。',
                  'No channel codes yet. Click "New code" to create a QR code per store, poster or campaign.',
                )}
              />
            ),
          }}
          columns={[
            {
              title: tr('名称', 'Name'),
              dataIndex: 'name',
              render: (name: string, c) => (
                <a data-testid="channel-name" onClick={() => setOpen(c)}>
                  {name}
                </a>
              ),
            },
            { title: tr('分组', 'Group'), dataIndex: 'group_name', render: (g: string) => g || '—' },
            {
              title: tr('员工', 'Employees'),
              dataIndex: 'userids',
              render: (ids: string[]) => ids.map(dir.empName).join('、'),
            },
            {
              title: tr('自动通过', 'Auto accept'),
              dataIndex: 'skip_verify',
              render: (v: boolean) => (v ? <Tag color="green">{tr('是', 'Yes')}</Tag> : <Tag>{tr('否', 'No')}</Tag>),
            },
            {
              title: tr('自动标签', 'Auto tags'),
              dataIndex: 'tag_ids',
              render: (ids: string[]) => (
                <Space wrap size={[2, 4]}>
                  {ids.map((t) => (
                    <Tag key={t}>{dir.tagName(t)}</Tag>
                  ))}
                </Space>
              ),
            },
            { title: tr('创建时间', 'Created'), dataIndex: 'created_at', render: fmtTime },
            {
              title: tr('操作', 'Actions'),
              key: 'actions',
              render: (_: unknown, c) => (
                <Space size="small">
                  <a href={`/api/v1/acquisition/channels/${c.id}/qr.png`} download>
                    {tr('二维码', 'QR')}
                  </a>
                  <a href={`/api/v1/acquisition/channels/${c.id}/poster.png`} download>
                    {tr('海报', 'Poster')}
                  </a>
                  <a onClick={() => setOpen(c)}>{tr('数据', 'Stats')}</a>
                  <a onClick={() => setEditing(c)}>{tr('编辑', 'Edit')}</a>
                  <Popconfirm
                    title={tr('删除后二维码失效，确定删除？', 'The QR code stops working. Delete?')}
                    onConfirm={async () => {
                      await act(() => del(`/acquisition/channels/${c.id}`), tr('已删除', 'Deleted'))
                      void page.reload()
                    }}
                  >
                    <a>{tr('删除', 'Delete')}</a>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
        <Space style={{ marginTop: 12, justifyContent: 'flex-end', width: '100%' }}>
          <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            {tr('上一页', 'Previous')}
          </Button>
          <Typography.Text type="secondary">{tr(`第 ${cursors.length} 页`, `Page ${cursors.length}`)}</Typography.Text>
          <Button
            disabled={!page.data?.next_cursor}
            onClick={() => setCursors([...cursors, page.data?.next_cursor ?? null])}
          >
            {tr('下一页', 'Next')}
          </Button>
        </Space>
      </Card>
      <ChannelOverview />
      <CreateWizard
        open={creating || !!editing}
        editing={editing}
        dir={dir}
        onClose={(created) => {
          setCreating(false)
          setEditing(null)
          if (created) {
            void page.reload()
            setOpen(created)
          }
        }}
      />
      <ChannelDrawer code={open} dir={dir} onClose={() => setOpen(null)} />
    </Space>
  )
}

/** The last 30 days per channel: adds, losses and net growth of the top channels. */
function ChannelOverview() {
  const { tr } = useI18n()
  const stats = useLoad(
    () =>
      get<Stats>('/acquisition/stats', {
        by: 'channel',
        start: dayjs().subtract(29, 'day').format('YYYY-MM-DD'),
        end: dayjs().format('YYYY-MM-DD'),
      }),
    [],
  )
  const rows = useMemo(() => [...(stats.data?.rows ?? [])].sort((a, b) => b.adds - a.adds).slice(0, 10), [stats.data])
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [tr('新增', 'Adds'), tr('流失', 'Lost'), tr('净增', 'Net')] },
      grid: { left: 40, right: 16, top: 36, bottom: 40 },
      xAxis: { type: 'category', data: rows.map((r) => r.label || r.key), axisLabel: { interval: 0, width: 90, overflow: 'truncate' } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: tr('新增', 'Adds'), type: 'bar', data: rows.map((r) => r.adds), itemStyle: { color: '#07c160' } },
        { name: tr('流失', 'Lost'), type: 'bar', data: rows.map((r) => r.lost), itemStyle: { color: '#ff7875' } },
        { name: tr('净增', 'Net'), type: 'bar', data: rows.map((r) => r.net), itemStyle: { color: '#5b8ff9' } },
      ],
    }),
    [rows, tr],
  )
  const t = stats.data?.totals
  return (
    <Card
      title={tr('近 30 天渠道数据', 'Last 30 days by channel')}
      extra={
        <Button
          size="small"
          icon={<DownloadOutlined />}
          href={`/api/v1/acquisition/stats/export${query({
            start: dayjs().subtract(29, 'day').format('YYYY-MM-DD'),
            end: dayjs().format('YYYY-MM-DD'),
            format: 'xlsx',
          })}`}
        >
          {tr('导出', 'Export')}
        </Button>
      }
    >
      {stats.error && <Alert type="error" showIcon title={stats.error} />}
      <Row gutter={16}>
        <Col xs={24} md={6}>
          <Space orientation="vertical" size="large">
            <Statistic title={tr('新增客户', 'New customers')} value={t?.adds ?? 0} />
            <Statistic title={tr('流失', 'Lost')} value={t?.lost ?? 0} />
            <Statistic title={tr('7 天内流失', 'Lost within 7 days')} value={t?.lost_7d ?? 0} />
          </Space>
        </Col>
        <Col xs={24} md={18}>
          {rows.length ? (
            <Chart option={option} height={240} />
          ) : (
            <Empty description={tr('近 30 天还没有客户通过活码添加。', 'Nobody added through a code in the last 30 days.')} />
          )}
        </Col>
      </Row>
    </Card>
  )
}

function fillPlaceholders(text: string, name: string, employee: string): string {
  return text.replaceAll('{nickname}', '小王').replaceAll('{employee}', employee).replaceAll('{channel}', name)
}

function CreateWizard({
  open,
  editing,
  dir,
  onClose,
}: {
  open: boolean
  editing: ChannelCode | null
  dir: Dir
  onClose: (c?: ChannelCode) => void
}) {
  const { tr } = useI18n()
  const [form] = Form.useForm<Draft>()
  const [step, setStep] = useState(0)
  const [busy, setBusy] = useState(false)
  const act = useAction()
  const values = Form.useWatch([], form) as Partial<Draft> | undefined
  useEffect(() => {
    if (open && editing)
      form.setFieldsValue({
        name: editing.name,
        group_name: editing.group_name,
        userids: editing.userids,
        skip_verify: editing.skip_verify,
        tag_ids: editing.tag_ids,
        remark_template: editing.remark_template,
        welcome_text: editing.welcome?.text ?? '',
        staff: fromRules(editing.staff),
        backups: editing.backups,
      })
  }, [open, editing, form])
  const steps = [
    { title: tr('基本信息', 'Basics'), fields: ['name', 'group_name', 'userids', 'skip_verify'] },
    { title: tr('接待规则', 'Rotation'), fields: ['staff', 'backups'] },
    { title: tr('标签与备注', 'Tags & remark'), fields: ['tag_ids', 'remark_template'] },
    { title: tr('欢迎语', 'Welcome'), fields: ['welcome_text'] },
  ]
  const close = (c?: ChannelCode) => {
    form.resetFields()
    setStep(0)
    onClose(c)
  }
  const submit = async () => {
    const v = await form.validateFields()
    setBusy(true)
    const all = { ...form.getFieldsValue(true), ...v } as Draft
    const body = {
      name: all.name,
      group_name: all.group_name ?? '',
      userids: all.userids,
      skip_verify: all.skip_verify,
      tag_ids: all.tag_ids ?? [],
      remark_template: all.remark_template ?? '',
      staff: toRules(all.staff),
      backups: all.backups ?? [],
      // an edit keeps the code's attachments (this wizard edits the text only)
      welcome: all.welcome_text
        ? { text: all.welcome_text, attachments: editing?.welcome?.attachments ?? [] }
        : editing?.welcome?.attachments.length
          ? { text: '', attachments: editing.welcome.attachments }
          : null,
    }
    const created = await act(
      () =>
        editing
          ? patch<ChannelCode>(`/acquisition/channels/${editing.id}`, body)
          : post<ChannelCode>('/acquisition/channels', body),
      editing ? tr('活码已更新', 'Channel code updated') : tr('活码已创建', 'Channel code created'),
    )
    setBusy(false)
    if (created) close(created)
  }
  const firstEmp = values?.userids?.[0] ? dir.empName(values.userids[0]) : tr('员工', 'Employee')
  return (
    <Modal
      open={open}
      title={editing ? tr(`编辑活码：${editing.name}`, `Edit: ${editing.name}`) : tr('新建渠道活码', 'New channel code')}
      width={720}
      onCancel={() => close()}
      destroyOnHidden
      footer={
        <Space>
          {step > 0 && <Button onClick={() => setStep(step - 1)}>{tr('上一步', 'Back')}</Button>}
          {step < steps.length - 1 ? (
            <Button
              type="primary"
              onClick={async () => {
                await form.validateFields(steps[step].fields)
                setStep(step + 1)
              }}
            >
              {tr('下一步', 'Next')}
            </Button>
          ) : (
            <Button type="primary" loading={busy} onClick={() => void submit()} data-testid="wizard-submit">
              {editing ? tr('保存', 'Save') : tr('创建', 'Create')}
            </Button>
          )}
        </Space>
      }
    >
      <Steps current={step} items={steps.map((s) => ({ title: s.title }))} style={{ marginBottom: 24 }} />
      <Form form={form} name="channel_wizard" layout="vertical" preserve initialValues={{ skip_verify: true, userids: [] }}>
        <div style={{ display: step === 0 ? 'block' : 'none' }}>
          <Form.Item
            name="name"
            label={tr('活码名称', 'Name')}
            rules={[{ required: true, message: tr('请输入名称', 'Enter a name') }]}
          >
            <Input maxLength={100} placeholder={tr('如：门店海报-徐汇店', 'e.g. Store poster')} />
          </Form.Item>
          <Form.Item name="group_name" label={tr('分组', 'Group')}>
            <Input maxLength={100} placeholder={tr('如：线下门店', 'e.g. Offline')} />
          </Form.Item>
          <Form.Item
            name="userids"
            label={tr('接待员工', 'Employees')}
            rules={[{ required: true, message: tr('至少选择一位员工', 'Pick at least one employee') }]}
            extra={tr('多位员工时轮流接待。', 'Several employees take turns.')}
          >
            <Select
              mode="multiple"
              data-testid="wizard-employees"
              showSearch={{ optionFilterProp: 'label' }}
              options={dir.employeeOptions}
              placeholder={tr('选择员工', 'Pick employees')}
            />
          </Form.Item>
          <Form.Item name="skip_verify" label={tr('客户添加时无需验证', 'Accept without verification')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </div>
        <div style={{ display: step === 1 ? 'block' : 'none' }}>
          <Typography.Paragraph type="secondary">
            {tr(
              '为员工设置接待日、时段和每日上限；不设置的员工全天接待。无人接待时由备用员工接待。',
              'Set days, hours and a daily cap per employee; employees without a rule are always on duty. When nobody is on duty the backups take over.',
            )}
          </Typography.Paragraph>
          <Form.List name="staff">
            {(fields, { add, remove }) => (
              <Space orientation="vertical" style={{ width: '100%' }}>
                {fields.map((f) => (
                  <Space key={f.key} wrap align="start" data-testid="staff-rule">
                    <Form.Item name={[f.name, 'userid']} rules={[{ required: true, message: tr('选择员工', 'Pick') }]}>
                      <Select
                        style={{ width: 130 }}
                        placeholder={tr('员工', 'Employee')}
                        options={dir.employeeOptions.filter((o) => (values?.userids ?? []).includes(o.value))}
                      />
                    </Form.Item>
                    <Form.Item name={[f.name, 'days']} rules={[{ required: true, message: tr('选择日期', 'Pick days') }]}>
                      <Select mode="multiple" style={{ minWidth: 180 }} placeholder={tr('接待日', 'Days')} options={weekdays(tr)} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'time']}>
                      <TimePicker.RangePicker format="HH:mm" placeholder={[tr('开始', 'From'), tr('结束', 'To')]} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'daily_cap']}>
                      <InputNumber min={1} placeholder={tr('每日上限', 'Daily cap')} style={{ width: 110 }} />
                    </Form.Item>
                    <Button type="text" icon={<DeleteOutlined />} aria-label="remove rule" onClick={() => remove(f.name)} />
                  </Space>
                ))}
                <Button
                  icon={<PlusOutlined />}
                  size="small"
                  onClick={() => add({ days: [1, 2, 3, 4, 5, 6, 7] })}
                  disabled={!(values?.userids ?? []).length}
                >
                  {tr('添加接待规则', 'Add a rule')}
                </Button>
              </Space>
            )}
          </Form.List>
          <Form.Item name="backups" label={tr('备用员工', 'Backups')} style={{ marginTop: 16 }}>
            <Select mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} options={dir.employeeOptions} />
          </Form.Item>
        </div>
        <div style={{ display: step === 2 ? 'block' : 'none' }}>
          <Form.Item name="tag_ids" label={tr('自动打标签', 'Auto tags')}>
            <Select
              mode="multiple"
              data-testid="wizard-tags"
              showSearch={{ optionFilterProp: 'label' }}
              options={dir.tagOptions}
              placeholder={tr('扫码添加的客户自动打上这些标签', 'Customers who add through this code get these tags')}
            />
          </Form.Item>
          <Form.Item
            name="remark_template"
            label={tr('自动备注', 'Auto remark')}
            extra={tr('可用 {nickname} {channel}，最多 20 字。', 'Use {nickname} {channel}; at most 20 characters.')}
          >
            <Input maxLength={100} placeholder="{nickname}-{channel}" />
          </Form.Item>
        </div>
        <div style={{ display: step === 3 ? 'block' : 'none' }}>
          <Row gutter={16}>
            <Col xs={24} md={14}>
              <Form.Item
                name="welcome_text"
                label={tr('欢迎语', 'Welcome message')}
                extra={tr(
                  '可用 {nickname}（客户昵称）、{employee}（员工）、{channel}（活码名称）。',
                  'Placeholders: {nickname}, {employee}, {channel}.',
                )}
              >
                <Input.TextArea rows={6} maxLength={1300} showCount data-testid="wizard-welcome" />
              </Form.Item>
            </Col>
            <Col xs={24} md={10}>
              <Typography.Text type="secondary">{tr('预览', 'Preview')}</Typography.Text>
              <div
                data-testid="welcome-preview"
                style={{ background: '#ededed', borderRadius: 8, padding: 12, minHeight: 160, marginTop: 8 }}
              >
                {values?.welcome_text ? (
                  <div style={{ display: 'flex', gap: 8 }}>
                    <div
                      style={{
                        width: 32,
                        height: 32,
                        borderRadius: 4,
                        background: '#07c160',
                        color: '#fff',
                        textAlign: 'center',
                        lineHeight: '32px',
                        flex: 'none',
                      }}
                    >
                      {firstEmp.slice(0, 1)}
                    </div>
                    <div
                      style={{ background: '#fff', borderRadius: 6, padding: '8px 10px', whiteSpace: 'pre-wrap', maxWidth: 220 }}
                    >
                      {fillPlaceholders(values.welcome_text, values.name ?? '', firstEmp)}
                    </div>
                  </div>
                ) : (
                  <Typography.Text type="secondary">
                    {tr('未设置欢迎语：客户添加后不会自动发送消息。', 'No welcome message: nothing is sent on add.')}
                  </Typography.Text>
                )}
              </div>
            </Col>
          </Row>
        </div>
      </Form>
    </Modal>
  )
}

function ChannelDrawer({ code, dir, onClose }: { code: ChannelCode | null; dir: Dir; onClose: () => void }) {
  return (
    <Drawer open={!!code} onClose={onClose} size="large" title={code?.name} destroyOnHidden data-testid="channel-drawer">
      {code && <ChannelDetail code={code} dir={dir} />}
    </Drawer>
  )
}

function ChannelDetail({ code, dir }: { code: ChannelCode; dir: Dir }) {
  const { tr } = useI18n()
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().subtract(29, 'day'), dayjs()])
  const duty = useLoad(() => get<Duty>(`/acquisition/channels/${code.id}/duty`), [code.id])
  const stats = useLoad(
    () =>
      get<Stats>('/acquisition/stats', {
        by: 'day',
        channel_id: String(code.id),
        start: range[0].format('YYYY-MM-DD'),
        end: range[1].format('YYYY-MM-DD'),
      }),
    [code.id, range],
  )
  const option = useMemo(() => {
    const trend = stats.data?.trend ?? []
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, left: 'center', data: [tr('新增', 'Adds'), tr('流失', 'Lost'), tr('净增', 'Net')] },
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: trend.map((p) => p.day.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: tr('新增', 'Adds'), type: 'bar', data: trend.map((p) => p.adds), itemStyle: { color: '#07c160' } },
        { name: tr('流失', 'Lost'), type: 'bar', data: trend.map((p) => p.lost), itemStyle: { color: '#ff7875' } },
        { name: tr('净增', 'Net'), type: 'line', data: trend.map((p) => p.net) },
      ],
    }
  }, [stats.data, tr])
  const t = stats.data?.totals
  const offIds = new Set((duty.data?.off_duty ?? []).map((o) => o.userid))
  const fallback = !!duty.data?.on_duty.length && duty.data.on_duty.every((u) => offIds.has(u))
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Row gutter={16}>
        <Col flex="none">
          <Image
            width={160}
            src={`/api/v1/acquisition/channels/${code.id}/qr.png`}
            alt="QR"
            data-testid="channel-qr"
          />
        </Col>
        <Col flex="auto">
          <Descriptions column={1} size="small">
            <Descriptions.Item label="state">
              <Typography.Text copyable code data-testid="channel-state">
                {code.state}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={tr('分组', 'Group')}>{code.group_name || '—'}</Descriptions.Item>
            <Descriptions.Item label={tr('自动标签', 'Auto tags')}>
              {code.tag_ids.map((x) => (
                <Tag key={x}>{dir.tagName(x)}</Tag>
              ))}
            </Descriptions.Item>
            <Descriptions.Item label={tr('下载', 'Download')}>
              <Space>
                <Button size="small" icon={<QrcodeOutlined />} href={`/api/v1/acquisition/channels/${code.id}/qr.png`} download>
                  {tr('二维码', 'QR code')}
                </Button>
                <Button size="small" icon={<DownloadOutlined />} href={`/api/v1/acquisition/channels/${code.id}/poster.png`} download>
                  {tr('海报', 'Poster')}
                </Button>
              </Space>
            </Descriptions.Item>
          </Descriptions>
        </Col>
      </Row>
      <Card size="small" title={tr('接待状态', 'On duty')} extra={<a onClick={() => void duty.reload()}>{tr('刷新', 'Refresh')}</a>}>
        {duty.error && <Alert type="error" showIcon title={duty.error} />}
        {duty.data && (
          <Space orientation="vertical" style={{ width: '100%' }} data-testid="channel-duty">
            <div>
              {fallback
                ? tr('无人在岗，兜底接待：', 'Nobody on duty; falling back to: ')
                : tr('当前接待：', 'On duty: ')}
              {duty.data.on_duty.map((u) => (
                <Tag color={fallback ? 'orange' : 'green'} key={u}>
                  {dir.empName(u)}（{tr('今日', 'today')} {duty.data?.adds_today[u] ?? 0}）
                </Tag>
              ))}
            </div>
            {duty.data.off_duty.length > 0 && (
              <div>
                {tr('暂停接待：', 'Off duty: ')}
                {duty.data.off_duty.map((o, i) => (
                  <Tag key={i}>
                    {dir.empName(o.userid ?? '')} {o.reason ? `(${offReason(o.reason, tr)})` : ''}
                  </Tag>
                ))}
              </div>
            )}
            <Typography.Text type="secondary">
              {duty.data.skip_verify ? tr('当前自动通过好友申请', 'Requests are accepted automatically') : tr('当前需员工验证', 'Requests wait for the employee')}
            </Typography.Text>
          </Space>
        )}
      </Card>
      <Card
        size="small"
        title={tr('渠道数据', 'Statistics')}
        extra={
          <DatePicker.RangePicker
            size="small"
            allowClear={false}
            value={range}
            onChange={(v) => v && v[0] && v[1] && setRange([v[0], v[1]])}
          />
        }
      >
        {stats.error && <Alert type="error" showIcon title={stats.error} />}
        <Row gutter={16} data-testid="channel-stats">
          <Col span={6}>
            <Statistic title={tr('新增', 'Adds')} value={t?.adds ?? 0} />
          </Col>
          <Col span={6}>
            <Statistic title={tr('流失', 'Lost')} value={t?.lost ?? 0} />
          </Col>
          <Col span={6}>
            <Statistic title={tr('净增', 'Net')} value={t?.net ?? 0} />
          </Col>
          <Col span={6}>
            <Statistic title={tr('留存', 'Retained')} value={t?.retained ?? 0} />
          </Col>
        </Row>
        <Chart option={option} height={260} />
        <Button
          size="small"
          icon={<DownloadOutlined />}
          href={`/api/v1/acquisition/stats/export${query({
            channel_id: String(code.id),
            start: range[0].format('YYYY-MM-DD'),
            end: range[1].format('YYYY-MM-DD'),
            format: 'xlsx',
          })}`}
        >
          {tr('导出明细', 'Export detail')}
        </Button>
      </Card>
    </Space>
  )
}
