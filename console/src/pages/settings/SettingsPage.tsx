import { useState } from 'react'
import { Link } from 'react-router-dom'
import { Alert, Button, Card, Descriptions, Empty, Form, Input, Modal, Popconfirm, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd'
import { get, patch, post, put, del, type Employee, type Page } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import CustomFieldSettings from '../customers/CustomFieldSettings'
import { ROLE_NAMES } from '../../layout/ConsoleLayout'

interface Creds {
  wecom_corp_id: string
  name: string
  api_base: string
  agent_id: number | null
  timezone: string
  secret_masked: string
  callback_url: string
  token: string
  aes_key: string
}
interface ApiKey {
  id: number
  name: string
  prefix: string
  created_at: string
  revoked_at: string | null
  last_used_at: string | null
}
interface User {
  id: number
  username: string
  display_name: string
  role: string
  userid: string | null
  active: boolean
  last_login_at: string | null
}
interface Audit {
  id: number
  at: string
  actor: string
  action: string
  target: string
  summary: string
  summary_en: string
  link: string
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
}

function WeComTab() {
  const { tr } = useI18n()
  const act = useAction()
  const creds = useLoad(() => get<Creds>('/settings/wecom'), [])
  const [form] = Form.useForm()
  const c = creds.data
  if (creds.error) return <Alert type="error" showIcon message={creds.error} />
  if (!c) return null
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card size="small" title={tr('接收事件服务器 (粘贴到企业微信管理后台)', 'Callback (paste into WeCom admin)')}>
        <Typography.Paragraph type="secondary">
          {tr('企业微信管理后台 → 客户联系 → API → 接收事件服务器，填入以下 URL、Token 和 EncodingAESKey。', 'WeCom admin → Customer contact → API → Receive events: paste the URL, Token and EncodingAESKey below.')}
        </Typography.Paragraph>
        <Descriptions column={1} bordered size="small">
          <Descriptions.Item label="URL"><Typography.Text copyable data-testid="callback-url">{c.callback_url}</Typography.Text></Descriptions.Item>
          <Descriptions.Item label="Token"><Typography.Text copyable code>{c.token}</Typography.Text></Descriptions.Item>
          <Descriptions.Item label="EncodingAESKey"><Typography.Text copyable code>{c.aes_key}</Typography.Text></Descriptions.Item>
        </Descriptions>
        <Popconfirm
          title={tr('重新生成后需要同步更新企业微信后台的配置，确定？', 'WeCom admin must be updated afterwards. Continue?')}
          onConfirm={async () => { const r = await act(() => post<Creds>('/settings/wecom/regenerate', { token: true, aes_key: true }), tr('已重新生成', 'Regenerated')); if (r) creds.setData(r) }}
        >
          <Button style={{ marginTop: 12 }}>{tr('重新生成 Token 和 EncodingAESKey', 'Regenerate token and AES key')}</Button>
        </Popconfirm>
      </Card>
      <Card size="small" title={tr('企业微信凭据', 'WeCom credentials')}>
        <Form
          form={form}
          layout="vertical"
          initialValues={{ name: c.name, api_base: c.api_base, agent_id: c.agent_id, timezone: c.timezone }}
          onFinish={async (v) => {
            const body = { ...v, secret: v.secret || undefined, agent_id: v.agent_id ? Number(v.agent_id) : undefined }
            const r = await act(() => put<Creds>('/settings/wecom', body), tr('已保存', 'Saved'))
            if (r) { creds.setData(r); form.setFieldValue('secret', '') }
          }}
          style={{ maxWidth: 520 }}
        >
          <Form.Item label={tr('企业 ID (CorpID)', 'Corp ID')}><Input value={c.wecom_corp_id} disabled /></Form.Item>
          <Form.Item name="name" label={tr('企业名称', 'Name')}><Input /></Form.Item>
          <Form.Item name="secret" label={tr('客户联系 Secret (只写)', 'Customer contact secret (write-only)')} extra={tr('当前：', 'Current: ') + c.secret_masked}>
            <Input.Password placeholder={tr('留空则不修改', 'Leave empty to keep')} autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="agent_id" label="AgentId"><Input /></Form.Item>
          <Form.Item name="api_base" label={tr('API 地址', 'API base')}><Input /></Form.Item>
          <Form.Item name="timezone" label={tr('时区', 'Time zone')}><Input /></Form.Item>
          <Button type="primary" htmlType="submit">{tr('保存', 'Save')}</Button>
        </Form>
      </Card>
    </Space>
  )
}

function ApiKeysTab() {
  const { tr } = useI18n()
  const act = useAction()
  const keys = useLoad(() => get<ApiKey[]>('/settings/api-keys'), [])
  const [name, setName] = useState('')
  const [shown, setShown] = useState<string | null>(null)
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Input placeholder={tr('密钥名称', 'Key name')} value={name} onChange={(e) => setName(e.target.value)} />
        <Button type="primary" disabled={!name} onClick={async () => { const r = await act(() => post<{ key: string }>('/settings/api-keys', { name })); if (r) { setShown(r.key); setName(''); void keys.reload() } }}>
          {tr('创建 API 密钥', 'Create API key')}
        </Button>
      </Space>
      <Table<ApiKey>
        rowKey="id"
        dataSource={keys.data ?? []}
        pagination={false}
        scroll={{ x: 500 }}
        columns={[
          { title: tr('名称', 'Name'), dataIndex: 'name' },
          { title: tr('前缀', 'Prefix'), dataIndex: 'prefix', render: (p: string) => <code>{p}…</code> },
          { title: tr('创建', 'Created'), dataIndex: 'created_at', render: fmtTime },
          { title: tr('状态', 'Status'), dataIndex: 'revoked_at', render: (r: string | null) => (r ? <Tag>{tr('已吊销', 'Revoked')}</Tag> : <Tag color="green">{tr('有效', 'Active')}</Tag>) },
          {
            title: '',
            render: (_, k) => !k.revoked_at && (
              <Popconfirm title={tr('吊销后立即失效，确定？', 'Revoke now?')} onConfirm={async () => { if ((await act(() => del(`/settings/api-keys/${k.id}`))) !== undefined) void keys.reload() }}>
                <Button danger size="small">{tr('吊销', 'Revoke')}</Button>
              </Popconfirm>
            ),
          },
        ]}
      />
      <Modal open={!!shown} onOk={() => setShown(null)} onCancel={() => setShown(null)} title={tr('新的 API 密钥 (只显示一次)', 'New API key (shown once)')}>
        <Typography.Paragraph copyable code>{shown}</Typography.Paragraph>
      </Modal>
    </>
  )
}

function UsersTab() {
  const { tr } = useI18n()
  const act = useAction()
  const users = useLoad(() => get<User[]>('/settings/users'), [])
  const emps = useLoad(() => get<Page<Employee>>('/employees', { limit: 500 }), [])
  const [form] = Form.useForm()
  const [created, setCreated] = useState<{ username: string; password: string } | null>(null)
  const roleOptions = Object.entries(ROLE_NAMES).filter(([k]) => k !== 'integrator').map(([k, [zh, en]]) => ({ value: k, label: tr(zh, en) }))
  const empOptions = (emps.data?.items ?? []).map((e) => ({ value: e.userid, label: e.display_name || e.name }))
  return (
    <>
      <Form form={form} layout="inline" style={{ marginBottom: 12, rowGap: 8 }} onFinish={async (v) => {
        const r = await act(() => post<User & { password: string }>('/settings/users', v))
        if (r) { setCreated({ username: r.username, password: r.password }); form.resetFields(); void users.reload() }
      }}>
        <Form.Item name="username" rules={[{ required: true }]}><Input placeholder={tr('用户名', 'Username')} /></Form.Item>
        <Form.Item name="role" initialValue="operator"><Select style={{ width: 120 }} options={roleOptions} /></Form.Item>
        <Form.Item name="userid"><Select allowClear showSearch={{ optionFilterProp: 'label' }} style={{ width: 200 }} placeholder={tr('关联员工 (主管/员工必填)', 'Employee (manager/staff)')} options={empOptions} /></Form.Item>
        <Button type="primary" htmlType="submit">{tr('添加用户', 'Add user')}</Button>
      </Form>
      <Table<User>
        rowKey="id"
        dataSource={users.data ?? []}
        pagination={false}
        scroll={{ x: 600 }}
        columns={[
          { title: tr('用户名', 'Username'), dataIndex: 'username' },
          { title: tr('角色', 'Role'), dataIndex: 'role', render: (role: string, u) => (
            <Select size="small" value={role} style={{ width: 110 }} options={roleOptions}
              onChange={async (r) => { if ((await act(() => patch(`/settings/users/${u.id}`, { role: r }), tr('已更新', 'Updated'))) !== undefined) void users.reload() }} />
          ) },
          { title: tr('关联员工', 'Employee'), dataIndex: 'userid', render: (u: string | null) => {
            // a person reads the employee's name (with the department where two share it)
            if (!u || !emps.data) return ''
            const e = emps.data.items.find((x) => x.userid === u)
            return e ? e.display_name || e.name : u
          } },
          { title: tr('最近登录', 'Last sign-in'), dataIndex: 'last_login_at', render: fmtTime },
          { title: tr('启用', 'Active'), dataIndex: 'active', render: (a: boolean, u) => (
            <Switch size="small" checked={a} onChange={async (v) => { if ((await act(() => patch(`/settings/users/${u.id}`, { active: v }))) !== undefined) void users.reload() }} />
          ) },
        ]}
      />
      <Modal open={!!created} onOk={() => setCreated(null)} onCancel={() => setCreated(null)} title={tr('一次性密码 (只显示一次)', 'One-time password (shown once)')}>
        <Typography.Paragraph>{created?.username}</Typography.Paragraph>
        <Typography.Paragraph copyable code>{created?.password}</Typography.Paragraph>
      </Modal>
    </>
  )
}

function AuditTab() {
  const { tr } = useI18n()
  const [filters, setFilters] = useState<{ actor?: string; action?: string }>({})
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const cursor = cursors[cursors.length - 1]
  const log = useLoad(() => get<Page<Audit>>('/settings/audit', { ...filters, cursor, limit: 20 }), [filters, cursor])
  return (
    <>
      <Form layout="inline" style={{ marginBottom: 12, rowGap: 8 }} onFinish={(v) => { setFilters(v); setCursors([null]) }}>
        <Form.Item name="actor"><Input allowClear placeholder={tr('操作人', 'Actor')} /></Form.Item>
        <Form.Item name="action"><Input allowClear placeholder={tr('操作 (包含)', 'Action (contains)')} /></Form.Item>
        <Button htmlType="submit">{tr('筛选', 'Filter')}</Button>
      </Form>
      {log.error && <Alert type="error" showIcon message={log.error} />}
      <Table<Audit>
        rowKey="id"
        loading={log.loading}
        dataSource={log.data?.items ?? []}
        pagination={false}
        scroll={{ x: 700 }}
        locale={{ emptyText: <Empty description={tr('还没有操作记录。', 'No writes recorded yet.')} /> }}
        expandable={{
          rowExpandable: (a) => !!(a.before || a.after),
          expandedRowRender: (a) => (
            <pre style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{JSON.stringify({ before: a.before, after: a.after }, null, 2)}</pre>
          ),
        }}
        columns={[
          { title: tr('时间', 'When'), dataIndex: 'at', render: fmtTime },
          { title: tr('操作人', 'Who'), dataIndex: 'actor' },
          {
            title: tr('操作', 'What'),
            dataIndex: 'summary',
            render: (_: string, a) => {
              const text = tr(a.summary, a.summary_en) || tr('其他操作', 'another change')
              return a.link ? <Link to={a.link}>{text}</Link> : text
            },
          },
        ]}
      />
      <Space style={{ marginTop: 12 }}>
        <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>{tr('上一页', 'Previous')}</Button>
        <Button disabled={!log.data?.next_cursor} onClick={() => setCursors([...cursors, log.data?.next_cursor ?? null])}>{tr('下一页', 'Next')}</Button>
      </Space>
    </>
  )
}

export default function SettingsPage() {
  const { tr } = useI18n()
  return (
    <Card title={tr('设置', 'Settings')}>
      <Tabs
        items={[
          { key: 'wecom', label: tr('企业微信', 'WeCom'), children: <WeComTab /> },
          { key: 'keys', label: tr('API 密钥', 'API keys'), children: <ApiKeysTab /> },
          { key: 'users', label: tr('用户与角色', 'Users and roles'), children: <UsersTab /> },
          { key: 'audit', label: tr('操作日志', 'Audit log'), children: <AuditTab /> },
          { key: 'fields', label: tr('客户字段', 'Customer fields'), children: <CustomFieldSettings /> },
        ]}
      />
    </Card>
  )
}
