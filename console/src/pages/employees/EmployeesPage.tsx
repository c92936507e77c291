import { useMemo, useState } from 'react'
import { Alert, Card, Col, Empty, Input, Row, Table, Tag, Tree } from 'antd'
import { get, type Department, type Employee } from '../../api'
import { useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import { Pager, useCursorList } from '../../list'

interface Node {
  key: number
  title: string
  children: Node[]
}

export default function EmployeesPage() {
  const { tr } = useI18n()
  const [dept, setDept] = useState<number | null>(null)
  const [keyword, setKeyword] = useState('')
  const depts = useLoad(() => get<Department[]>('/departments'), [])
  const list = useCursorList<Employee>('/employees', { keyword, department: dept ?? undefined }, { sort: 'name' })
  const emps = list.page
  const tree = useMemo(() => {
    const nodes = new Map<number, Node>()
    for (const d of depts.data ?? []) nodes.set(d.dept_id, { key: d.dept_id, title: `${d.name} (${d.employees})`, children: [] })
    const roots: Node[] = []
    for (const d of depts.data ?? []) {
      const n = nodes.get(d.dept_id)!
      const parent = d.parent_id ? nodes.get(d.parent_id) : undefined
      if (parent) parent.children.push(n)
      else roots.push(n)
    }
    return roots
  }, [depts.data])
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={7}>
        <Card title={tr('部门', 'Departments')}>
          {depts.error && <Alert type="error" showIcon title={depts.error} />}
          {tree.length ? (
            <Tree
              defaultExpandAll
              treeData={tree}
              selectedKeys={dept ? [dept] : []}
              onSelect={(keys) => setDept(keys.length ? Number(keys[0]) : null)}
            />
          ) : (
            <Empty description={tr('还没有部门：请先在「同步」页面同步企业微信通讯录。', 'No departments yet: run a sync from the Sync page.')} />
          )}
        </Card>
      </Col>
      <Col xs={24} md={17}>
        <Card title={tr('员工', 'Employees')} extra={<Input.Search allowClear placeholder={tr('姓名 / 账号', 'Name / userid')} onSearch={setKeyword} style={{ width: 200 }} />}>
          {emps.error && <Alert type="error" showIcon title={emps.error} />}
          <Table<Employee>
            rowKey="userid"
            loading={emps.loading}
            dataSource={emps.data?.items ?? []}
            pagination={false}
            onChange={list.onChange}
            scroll={{ x: 500 }}
            locale={{ emptyText: <Empty description={tr('没有员工。', 'No employees.')} /> }}
            columns={[
              { title: tr('姓名', 'Name'), dataIndex: 'name', ...list.sortable('name') },
              { title: tr('账号', 'Userid'), dataIndex: 'userid', ...list.sortable('userid') },
              { title: tr('职位', 'Position'), dataIndex: 'position', ...list.sortable('position') },
              { title: tr('客户数', 'Customers'), dataIndex: 'customers' },
              {
                title: tr('客户联系', 'Customer contact'),
                dataIndex: 'customer_contact',
                render: (v: boolean) => (v ? <Tag color="green">{tr('已开启', 'On')}</Tag> : <Tag>{tr('未开启', 'Off')}</Tag>),
              },
            ]}
          />
          <Pager list={list} />
        </Card>
      </Col>
    </Row>
  )
}
