// 渠道活码: list (filters, cursor pages, export), create wizard, QR / poster, duty and stats.
import { useMemo, useState } from 'react'
import {
  Alert,
  Button,
  Card,
  Col,
  Empty,
  Form,
  Input,
  Popconfirm,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
} from 'antd'
import { DownloadOutlined, PlusOutlined, ReloadOutlined, UploadOutlined } from '@ant-design/icons'
import { del, get, query } from '../../api'
import { useAuth } from '../../auth'
import { useAction, useLoad } from '../../hooks'
import { useLastDays } from '../../dates'
import { fmtTime, useI18n } from '../../i18n'
import Chart from '../../Chart'
import { FilterBar, Pager, useCursorList } from '../../list'
import { useDirectory } from '../directory'
import { type ChannelCode, type Filters, type Stats } from './channelTypes'
import BatchImport from './BatchImport'
import CreateWizard from './CreateWizard'
import ChannelDrawer from './ChannelDrawer'

export type { ChannelCode } from './channelTypes'

export default function ChannelCodesPage() {
  const { tr } = useI18n()
  const [form] = Form.useForm<Filters>()
  const [filters, setFilters] = useState<Filters>({})
  const [creating, setCreating] = useState(false)
  const [importing, setImporting] = useState(false)
  const [editing, setEditing] = useState<ChannelCode | null>(null)
  const [open, setOpen] = useState<ChannelCode | null>(null)
  const dir = useDirectory()
  const act = useAction()
  const me = useAuth().me
  // managers and staff edit only codes entirely within their scope (no department on them)
  const scope = me?.visible_userids ?? null
  const editable = (c: ChannelCode) =>
    !scope || (!c.dept_ids.length && [...c.userids, ...c.backups].every((u) => scope.includes(u)))
  const list = useCursorList<ChannelCode>('/acquisition/channels', { ...filters })
  const page = list.page
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <FilterBar form={form} onApply={setFilters}>
        <Form.Item name="keyword">
          <Input allowClear placeholder={tr('名称 / 渠道参数', 'Name / state')} style={{ width: 180 }} />
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
      </FilterBar>
      <Card
        title={tr('渠道活码', 'Channel codes')}
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={() => void page.reload()} aria-label="reload" />
            <Button
              icon={<DownloadOutlined />}
              href={`/api/v1/acquisition/channels/export${query({ ...filters, sort: list.sort, format: 'xlsx' })}`}
            >
              {tr('导出', 'Export')}
            </Button>
            {me?.full_access && (
              <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="batch-import">
                {tr('批量导入', 'Import')}
              </Button>
            )}
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
          onChange={list.onChange}
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
              ...list.sortable('name'),
              render: (name: string, c) => (
                <a data-testid="channel-name" onClick={() => setOpen(c)}>
                  {name}
                </a>
              ),
            },
            { title: tr('分组', 'Group'), dataIndex: 'group_name', ...list.sortable('group_name'), render: (g: string) => g || '—' },
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
            { title: tr('创建时间', 'Created'), dataIndex: 'created_at', ...list.sortable('created_at'), render: fmtTime },
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
                  {editable(c) && <a onClick={() => setEditing(c)}>{tr('编辑', 'Edit')}</a>}
                  {editable(c) && (
                  <Popconfirm
                    title={tr('删除后二维码失效，确定删除？', 'The QR code stops working. Delete?')}
                    onConfirm={async () => {
                      await act(() => del(`/acquisition/channels/${c.id}`), tr('已删除', 'Deleted'))
                      void page.reload()
                    }}
                  >
                    <a>{tr('删除', 'Delete')}</a>
                  </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
        />
        <Pager list={list} />
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
      <BatchImport
        open={importing}
        onClose={(created) => {
          setImporting(false)
          if (created) void page.reload()
        }}
      />
    </Space>
  )
}

/** The last 30 days per channel: adds, losses and net growth of the top channels. */
function ChannelOverview() {
  const { tr } = useI18n()
  const [start, end] = useLastDays(30)
  const stats = useLoad(
    () =>
      get<Stats>('/acquisition/stats', {
        by: 'channel',
        start: start.format('YYYY-MM-DD'),
        end: end.format('YYYY-MM-DD'),
      }),
    [start.valueOf(), end.valueOf()],
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
            start: start.format('YYYY-MM-DD'),
            end: end.format('YYYY-MM-DD'),
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
