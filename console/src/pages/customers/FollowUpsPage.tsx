// Overdue follow-ups per employee (逾期跟进), for managers: within the signed-in user's data
// scope (staff: their own; managers: their department subtree; admins: everyone).
import { useState } from 'react'
import { Alert, Button, Card, Empty, List, Select, Space, Table, Tag, Typography } from 'antd'
import { DownloadOutlined } from '@ant-design/icons'
import { get, query, type Department, type Schemas } from '../../api'
import { useAuth } from '../../auth'
import { fmtIn } from '../../dates'
import { useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import { useDirectory } from '../directory'
import CustomerDrawer from './CustomerDrawer'

type Group = Schemas['OverdueEmployee']
const PAGE = 20

export default function FollowUpsPage() {
  const { tr } = useI18n()
  const { me } = useAuth()
  const dir = useDirectory()
  const depts = useLoad(() => get<Department[]>('/departments'), [])
  const [dept, setDept] = useState<number | undefined>()
  const [userid, setUserid] = useState<string | undefined>()
  const [page, setPage] = useState(1)
  const [open, setOpen] = useState<number | null>(null)
  const params = { department_id: dept, userid }
  const data = useLoad(
    () => get<Schemas['OverduePage']>('/customers/follow-ups/overdue', { ...params, offset: (page - 1) * PAGE, limit: PAGE }),
    [dept, userid, page],
  )
  const tz = me?.timezone
  const visible = me?.visible_userids
  const employeeOptions = dir.employeeOptions.filter((o) => visible == null || visible.includes(o.value))
  return (
    <Card title={tr('逾期跟进', 'Overdue follow-ups')} data-testid="follow-ups-page">
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          allowClear
          style={{ width: 200 }}
          placeholder={tr('按部门', 'By department')}
          value={dept}
          onChange={(v?: number) => {
            setDept(v)
            setPage(1)
          }}
          options={(depts.data ?? []).map((d) => ({ value: d.dept_id, label: d.name }))}
        />
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          style={{ width: 200 }}
          placeholder={tr('按员工', 'By employee')}
          value={userid}
          onChange={(v?: string) => {
            setUserid(v)
            setPage(1)
          }}
          options={employeeOptions}
          data-testid="follow-ups-employee"
        />
        <Button icon={<DownloadOutlined />} href={`/api/v1/customers/follow-ups/overdue/export${query({ ...params, format: 'csv' })}`}>
          {tr('导出 CSV', 'Export CSV')}
        </Button>
        <Button icon={<DownloadOutlined />} href={`/api/v1/customers/follow-ups/overdue/export${query({ ...params, format: 'xlsx' })}`}>
          {tr('导出表格', 'Export XLSX')}
        </Button>
      </Space>
      {data.error && <Alert type="error" showIcon title={data.error} />}
      <Table<Group>
        rowKey="userid"
        loading={data.loading}
        dataSource={data.data?.items ?? []}
        locale={{ emptyText: <Empty description={tr('没有逾期的跟进', 'No overdue follow-ups')} /> }}
        pagination={{ current: page, pageSize: PAGE, total: data.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        columns={[
          { title: tr('员工', 'Employee'), dataIndex: 'name', render: (n: string, g) => <span data-testid={`overdue-${g.userid}`}>{n}</span> },
          { title: tr('逾期数', 'Overdue'), dataIndex: 'overdue', render: (n: number) => <Tag color="red">{n}</Tag> },
          { title: tr('最早应跟进', 'Oldest due'), dataIndex: 'oldest_due_at', render: (v: string) => fmtIn(v, tz) },
        ]}
        expandable={{
          expandedRowRender: (g) => (
            <List
              size="small"
              dataSource={g.follow_ups}
              footer={g.overdue > g.follow_ups.length ? tr(`仅显示最早的 ${g.follow_ups.length} 条，完整列表请导出`, `The oldest ${g.follow_ups.length} only; export for all`) : undefined}
              renderItem={(f) => (
                <List.Item>
                  <Space wrap>
                    <Typography.Link onClick={() => setOpen(f.customer_id)}>{f.remark || f.name}</Typography.Link>
                    <Typography.Text type="danger">{fmtIn(f.due_at, tz)}</Typography.Text>
                    {f.note && <Typography.Text>{f.note}</Typography.Text>}
                  </Space>
                </List.Item>
              )}
            />
          ),
        }}
      />
      <CustomerDrawer id={open} onClose={() => { setOpen(null); void data.reload() }} />
    </Card>
  )
}
