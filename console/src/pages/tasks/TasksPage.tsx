// 营销任务: list (status, progress, deadline; filters, pagination, export), period leaderboard,
// create wizard, detail drawer.
import { useEffect, useState } from 'react'
import { useNavigate, useParams } from 'react-router-dom'
import { Alert, Button, Card, Drawer, Empty, Input, Select, Space, Table, Tabs, Typography } from 'antd'
import { DownloadOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import dayjs from 'dayjs'
import { get, query, type Page } from '../../api'
import { useAuth } from '../../auth'
import { useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { KIND, KindTag, STATUS, StatusTag, TaskProgress, type Task } from './shared'
import CreateWizard from './CreateWizard'
import TaskDetail from './TaskDetail'
import Leaderboard from './Leaderboard'

export default function TasksPage() {
  const { tr } = useI18n()
  const { me } = useAuth()
  const { id } = useParams()
  const navigate = useNavigate()
  const [status, setStatus] = useState<string | undefined>()
  const [kind, setKind] = useState<string | undefined>()
  const [keyword, setKeyword] = useState('')
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const [creating, setCreating] = useState(false)
  const cursor = cursors[cursors.length - 1]
  const page = useLoad(
    () => get<Page<Task>>('/tasks', { status, kind, keyword, cursor, limit: 20 }),
    [status, kind, keyword, cursor],
  )
  const running = (page.data?.items ?? []).some((t) => t.status === 'running' || t.status === 'scheduled')
  useEffect(() => {
    if (!running) return
    const t = setInterval(() => void page.reload(), 10000)
    return () => clearInterval(t)
  }, [running, page.reload])
  const list = (
    <Card
      title={tr('营销任务', 'Tasks')}
      extra={
        <Space wrap>
          <Input.Search
            allowClear
            placeholder={tr('名称', 'Name')}
            style={{ width: 160 }}
            onSearch={(v) => {
              setKeyword(v)
              setCursors([null])
            }}
          />
          <Select
            allowClear
            placeholder={tr('状态', 'Status')}
            style={{ width: 120 }}
            value={status}
            onChange={(v) => {
              setStatus(v)
              setCursors([null])
            }}
            options={Object.entries(STATUS).map(([k, [zh, en]]) => ({ value: k, label: tr(zh, en) }))}
          />
          <Select
            allowClear
            placeholder={tr('类型', 'Kind')}
            style={{ width: 130 }}
            value={kind}
            onChange={(v) => {
              setKind(v)
              setCursors([null])
            }}
            options={Object.entries(KIND).map(([k, [zh, en]]) => ({ value: k, label: tr(zh, en) }))}
          />
          <Button icon={<ReloadOutlined />} onClick={() => void page.reload()} aria-label="reload" />
          <Button icon={<DownloadOutlined />} href={`/api/v1/tasks/export${query({ status, kind, format: 'xlsx' })}`}>
            {tr('导出', 'Export')}
          </Button>
          {me?.full_access && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-task">
              {tr('新建任务', 'New task')}
            </Button>
          )}
        </Space>
      }
    >
      {page.error && <Alert type="error" showIcon title={page.error} style={{ marginBottom: 12 }} />}
      <Table<Task>
        rowKey="id"
        size="middle"
        loading={page.loading && !page.data}
        dataSource={page.data?.items ?? []}
        pagination={false}
        scroll={{ x: 960 }}
        locale={{
          emptyText: (
            <Empty
              description={
                me?.full_access
                  ? tr(
                      '还没有营销任务。点击「新建任务」，选择内容、目标客户和员工并设置截止时间；员工会收到通知，完成情况自动统计。',
                      'No tasks yet. Click "New task", pick the content, target customers and employees and set a deadline; employees are notified and completion is tracked.',
                    )
                  : tr('暂时没有分配给你的任务。', 'No tasks are assigned to you yet.')
              }
            />
          ),
        }}
        columns={[
          {
            title: tr('名称', 'Name'),
            dataIndex: 'name',
            render: (n: string, t) => (
              <a data-testid="task-name" onClick={() => navigate(`/tasks/${t.id}`)}>
                {n}
              </a>
            ),
          },
          { title: tr('类型', 'Kind'), dataIndex: 'kind', render: (k: string) => <KindTag kind={k} /> },
          { title: tr('状态', 'Status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
          {
            title: tr('完成进度', 'Progress'),
            key: 'progress',
            width: 200,
            render: (_: unknown, t) => <TaskProgress task={t} />,
          },
          {
            title: tr('员工完成', 'Employees done'),
            key: 'emp',
            render: (_: unknown, t) => `${t.totals.employees_done ?? 0} / ${t.totals.employees ?? t.userids.length}`,
          },
          { title: tr('打开次数', 'Opens'), key: 'opens', render: (_: unknown, t) => t.totals.opens ?? 0 },
          {
            title: tr('截止时间', 'Deadline'),
            dataIndex: 'deadline',
            render: (d: string, t) => (
              <Typography.Text type={t.status === 'running' && dayjs(d).isBefore(dayjs().add(1, 'day')) ? 'danger' : undefined}>
                {fmtTime(d)}
              </Typography.Text>
            ),
          },
          { title: tr('创建人', 'By'), dataIndex: 'created_by' },
        ]}
      />
      <Space style={{ marginTop: 12, justifyContent: 'flex-end', width: '100%' }}>
        <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          {tr('上一页', 'Previous')}
        </Button>
        <Typography.Text type="secondary">{tr(`第 ${cursors.length} 页`, `Page ${cursors.length}`)}</Typography.Text>
        <Button disabled={!page.data?.next_cursor} onClick={() => setCursors([...cursors, page.data?.next_cursor ?? null])}>
          {tr('下一页', 'Next')}
        </Button>
      </Space>
    </Card>
  )
  return (
    <>
      <Tabs
        items={[
          { key: 'list', label: tr('任务列表', 'Tasks'), children: list },
          { key: 'board', label: tr('员工排行', 'Leaderboard'), children: <Leaderboard /> },
        ]}
      />
      <CreateWizard
        open={creating}
        onClose={(created) => {
          setCreating(false)
          if (created) {
            void page.reload()
            navigate(`/tasks/${created.id}`)
          }
        }}
      />
      <Drawer
        open={!!id}
        size="large"
        destroyOnHidden
        title={tr('任务详情', 'Task')}
        onClose={() => {
          navigate('/tasks')
          void page.reload()
        }}
      >
        {id && <TaskDetail id={Number(id)} onChanged={() => void page.reload()} />}
      </Drawer>
    </>
  )
}
