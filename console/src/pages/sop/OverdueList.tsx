// Overdue SOP to-dos across the corp: filter by SOP and employee, load more, export.
import { useState } from 'react'
import { Alert, Button, Card, Select, Space, Table, Tag } from 'antd'
import { DownloadOutlined } from '@ant-design/icons'
import { get, query, type Page } from '../../api'
import { useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { useDirectory } from '../directory'
import type { SopTemplate, Todo } from './types'

export default function OverdueList() {
  const { tr } = useI18n()
  const dir = useDirectory()
  const [templateId, setTemplateId] = useState<number | undefined>()
  const [userid, setUserid] = useState<string | undefined>()
  const [extra, setExtra] = useState<Todo[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const tpls = useLoad(() => get<SopTemplate[]>('/sop/templates'), [])
  const params = { overdue: true, template_id: templateId, userid, limit: 50 }
  const first = useLoad(async () => {
    const page = await get<Page<Todo>>('/sop/todos', params)
    setExtra([])
    setCursor(page.next_cursor)
    return page
  }, [templateId, userid])
  const rows = [...(first.data?.items ?? []), ...extra]
  return (
    <Card
      title={tr('逾期待办', 'Overdue to-dos')}
      extra={
        <Space wrap>
          <Select allowClear placeholder={tr('全部 SOP', 'All SOPs')} style={{ width: 180 }} value={templateId} onChange={setTemplateId} options={(tpls.data ?? []).map((t) => ({ label: t.name, value: t.id }))} />
          <Select allowClear showSearch optionFilterProp="label" placeholder={tr('全部员工', 'All employees')} style={{ width: 160 }} value={userid} onChange={setUserid} options={dir.employeeOptions} />
          <Button icon={<DownloadOutlined />} href={`/api/v1/sop/todos/export${query({ overdue: true, template_id: templateId, userid, format: 'xlsx' })}`}>
            {tr('导出', 'Export')}
          </Button>
        </Space>
      }
    >
      {first.error && <Alert type="error" showIcon message={first.error} />}
      <Table
        rowKey="id"
        size="small"
        loading={first.loading}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: tr('没有逾期待办，员工都按时完成了。', 'Nothing overdue: every to-do was done on time.') }}
        columns={[
          { title: 'SOP', dataIndex: 'template_name' },
          { title: tr('步骤', 'Step'), dataIndex: 'position' },
          { title: tr('员工', 'Employee'), render: (_: unknown, r: Todo) => r.employee_name || r.userid },
          { title: tr('客户 / 群', 'Customer / group'), render: (_: unknown, r: Todo) => r.customer_name || r.group_name },
          { title: tr('到期', 'Due'), render: (_: unknown, r: Todo) => <Space>{fmtTime(r.due_at)}<Tag color="red">{tr('逾期', 'overdue')}</Tag></Space> },
        ]}
      />
      {cursor && (
        <Button
          block
          style={{ marginTop: 8 }}
          onClick={async () => {
            const page = await get<Page<Todo>>('/sop/todos', { ...params, cursor })
            setExtra([...extra, ...page.items])
            setCursor(page.next_cursor)
          }}
        >
          {tr('加载更多', 'Load more')}
        </Button>
      )}
    </Card>
  )
}
