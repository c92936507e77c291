// SOP: templates with live counts, the step editor, per-SOP statistics, overdue to-dos.
import { useEffect, useState } from 'react'
import { Alert, Button, Card, Drawer, Empty, Popconfirm, Progress, Space, Statistic, Switch, Table, Tabs, Tag, Typography } from 'antd'
import { BarChartOutlined, DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons'
import { del, get, post } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import EnableModal from './EnableModal'
import OverdueList from './OverdueList'
import SopEditor from './SopEditor'
import { TRIGGERS, whenLabel, type SopTemplate, type TemplateStats } from './types'

function StatsDrawer({ tpl, onClose }: { tpl: SopTemplate | null; onClose: () => void }) {
  const { tr } = useI18n()
  const stats = useLoad(() => (tpl ? get<TemplateStats>(`/sop/templates/${tpl.id}/stats`) : Promise.resolve(null)), [tpl?.id])
  const t = stats.data?.totals
  return (
    <Drawer open={!!tpl} onClose={onClose} size="large" title={tpl ? tr(`数据：${tpl.name}`, `Statistics: ${tpl.name}`) : ''}>
      {stats.error && <Alert type="error" showIcon message={stats.error} />}
      {t && (
        <Space orientation="vertical" style={{ width: '100%' }} size="middle" data-testid="sop-stats">
          <Space size="large" wrap>
            <Statistic title={tr('进行中', 'Running')} value={t.running} />
            <Statistic title={tr('待执行', 'Scheduled')} value={t.scheduled} />
            <Statistic title={tr('待办', 'Due')} value={t.due} />
            <Statistic title={tr('已完成', 'Done')} value={t.done} />
            <Statistic title={tr('已逾期', 'Overdue')} value={t.overdue} styles={{ content: { color: t.overdue ? '#cf1322' : undefined } }} />
            <Statistic title={tr('已停止', 'Stopped')} value={t.stopped} />
          </Space>
          <Table
            size="small"
            rowKey="position"
            pagination={false}
            dataSource={stats.data?.steps ?? []}
            locale={{ emptyText: tr('还没有客户进入这个 SOP。', 'No customer has entered this SOP yet.') }}
            columns={[
              { title: tr('步骤', 'Step'), dataIndex: 'position', render: (p: number) => { const s = tpl?.steps.find((x) => x.position === p); return `${p}${s ? ` · ${whenLabel(s, tr)}` : ''}` } },
              { title: tr('待执行', 'Scheduled'), dataIndex: 'scheduled' },
              { title: tr('待办', 'Due'), dataIndex: 'open' },
              { title: tr('已完成', 'Done'), dataIndex: 'done' },
              { title: tr('已跳过', 'Skipped'), dataIndex: 'skipped' },
              { title: tr('逾期', 'Overdue'), dataIndex: 'overdue' },
            ]}
          />
          <Typography.Title level={5}>{tr('员工执行情况', 'By employee')}</Typography.Title>
          <Table
            size="small"
            rowKey="userid"
            pagination={{ pageSize: 20 }}
            dataSource={stats.data?.employees ?? []}
            locale={{ emptyText: tr('还没有推送给员工的待办。', 'No to-do has reached an employee yet.') }}
            columns={[
              { title: tr('员工', 'Employee'), dataIndex: 'name', render: (n: string, r) => n || r.userid },
              { title: tr('待办', 'Due'), dataIndex: 'due' },
              { title: tr('已完成', 'Done'), dataIndex: 'done' },
              { title: tr('逾期', 'Overdue'), dataIndex: 'overdue', render: (n: number) => (n ? <Tag color="red">{n}</Tag> : 0) },
              {
                title: tr('完成率', 'Completion'),
                render: (_: unknown, r) => <Progress size="small" percent={Math.round((100 * r.done) / Math.max(1, r.done + r.due + r.overdue))} />,
              },
            ]}
          />
        </Space>
      )}
    </Drawer>
  )
}

function Templates() {
  const { tr } = useI18n()
  const act = useAction()
  const list = useLoad(() => get<SopTemplate[]>('/sop/templates'), [])
  const [editing, setEditing] = useState<SopTemplate | null>(null)
  const [creating, setCreating] = useState(false)
  const [stats, setStats] = useState<SopTemplate | null>(null)
  const [enabling, setEnabling] = useState<SopTemplate | null>(null)
  // a backfill runs in the worker: follow its progress
  const filling = (list.data ?? []).some((t) => t.backfill_status === 'pending' || t.backfill_status === 'running')
  useEffect(() => {
    if (!filling) return
    const t = setInterval(() => void list.reload(), 2000)
    return () => clearInterval(t)
  }, [filling, list.reload])
  return (
    <Card
      title={tr('SOP 模板', 'SOP templates')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="sop-new">
          {tr('新建 SOP', 'New SOP')}
        </Button>
      }
    >
      {list.error && <Alert type="error" showIcon message={list.error} />}
      <Table
        rowKey="id"
        loading={list.loading}
        dataSource={list.data ?? []}
        scroll={{ x: 900 }}
        locale={{
          emptyText: (
            <Empty description={tr('还没有 SOP。点「新建 SOP」：选一个触发条件（如渠道活码、标签），设置第几天发什么，启用后员工会收到待办。', 'No SOP yet. Click “New SOP”: pick a trigger (a channel code, a tag), say what to send on which day, enable it, and employees get to-dos.')} />
          ),
        }}
        columns={[
          { title: tr('名称', 'Name'), dataIndex: 'name', render: (n: string, r) => <Space orientation="vertical" size={0}><Typography.Text strong>{n}</Typography.Text><Typography.Text type="secondary">{r.target === 'customer' ? tr('客户', 'Customer') : tr('客户群', 'Group')} · v{r.version}</Typography.Text></Space> },
          { title: tr('触发', 'Trigger'), render: (_: unknown, r) => tr(...TRIGGERS[r.trigger.kind]) },
          { title: tr('步骤', 'Steps'), render: (_: unknown, r) => r.steps.map((s) => whenLabel(s, tr)).join('，') },
          { title: tr('进行中', 'Running'), render: (_: unknown, r) => r.stats.running },
          { title: tr('待办', 'Due'), render: (_: unknown, r) => r.stats.due },
          { title: tr('已完成', 'Done'), render: (_: unknown, r) => <span data-testid={`sop-done-${r.id}`}>{r.stats.done}</span> },
          { title: tr('逾期', 'Overdue'), render: (_: unknown, r) => (r.stats.overdue ? <Tag color="red">{r.stats.overdue}</Tag> : 0) },
          {
            title: tr('启用', 'Enabled'),
            render: (_: unknown, r) => (
              <Space orientation="vertical" size={0}>
                <Switch
                  checked={r.enabled}
                  data-testid={`sop-enable-${r.id}`}
                  onChange={async (on) => {
                    if (on) {
                      setEnabling(r) // asks whether customers who already match start too
                      return
                    }
                    const path = `/sop/templates/${r.id}/disable`
                    if ((await act(() => post(path, {}), tr('已停用，进行中的客户已停止', 'Disabled: running customers stopped'))) !== undefined) void list.reload()
                  }}
                />
                {(r.backfill_status === 'running' || r.backfill_status === 'pending') && (
                  <Progress
                    size="small"
                    data-testid={`sop-backfill-${r.id}`}
                    percent={Math.round((100 * r.backfill_done) / Math.max(1, r.backfill_total))}
                  />
                )}
              </Space>
            ),
          },
          {
            title: tr('操作', 'Actions'),
            render: (_: unknown, r) => (
              <Space>
                <Button size="small" icon={<BarChartOutlined />} onClick={() => setStats(r)} data-testid={`sop-stats-${r.id}`}>{tr('数据', 'Stats')}</Button>
                <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(r)}>{tr('编辑', 'Edit')}</Button>
                <Popconfirm title={tr('删除后进行中的客户会停止，确定？', 'Running customers stop. Delete?')} onConfirm={async () => { if ((await act(() => del(`/sop/templates/${r.id}`), tr('已删除', 'Deleted'))) !== undefined) void list.reload() }}>
                  <Button size="small" danger icon={<DeleteOutlined />} aria-label="delete" />
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <SopEditor
        open={creating || !!editing}
        editing={editing}
        onClose={() => { setCreating(false); setEditing(null) }}
        onSaved={() => { setCreating(false); setEditing(null); void list.reload() }}
      />
      <StatsDrawer tpl={stats} onClose={() => { setStats(null); void list.reload() }} />
      <EnableModal
        tpl={enabling}
        onClose={(changed) => {
          setEnabling(null)
          if (changed) void list.reload()
        }}
      />
    </Card>
  )
}

export default function SopPage() {
  const { tr } = useI18n()
  return (
    <Tabs
      items={[
        { key: 'templates', label: tr('SOP 模板', 'Templates'), children: <Templates /> },
        { key: 'overdue', label: tr('逾期待办', 'Overdue to-dos'), children: <OverdueList /> },
      ]}
    />
  )
}
