// 撞单记录 (防撞单): a customer who already belongs to one employee added another one; the owner
// stays unless an operator reassigns it here.
import { useState } from 'react'
import { Alert, Avatar, Button, DatePicker, Empty, Form, Select, Space, Table, Typography } from 'antd'
import type { Dayjs } from 'dayjs'
import type { Schemas } from '../../api'
import { useI18n } from '../../i18n'
import { useCorpTime } from '../../dates'
import { FilterBar, Pager, useCursorList } from '../../list'
import type { Dir } from '../directory'
import OwnerModal from './OwnerModal'

type Collision = Schemas['CollisionOut']

interface Filters {
  userid?: string
  range?: [Dayjs, Dayjs] | null
}

export default function Collisions({ dir, locked, onCustomer }: { dir: Dir; locked: boolean; onCustomer: (id: number) => void }) {
  const { tr } = useI18n()
  const fmt = useCorpTime()
  const [form] = Form.useForm<Filters>()
  const [filters, setFilters] = useState<Filters>({})
  const [editing, setEditing] = useState<Collision | null>(null)
  const list = useCursorList<Collision>('/acquisition/collisions', {
    userid: filters.userid,
    start: filters.range?.[0]?.format('YYYY-MM-DD'),
    end: filters.range?.[1]?.format('YYYY-MM-DD'),
  })
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {!locked && (
        <Alert
          type="info"
          showIcon
          data-testid="collision-lock-off"
          title={tr(
            '防撞单未开启：客户添加第二位员工时不会记录撞单。可在「设置」中开启。',
            'The collision lock is off: a customer adding a second employee is not recorded. Turn it on under Settings.',
          )}
        />
      )}
      <FilterBar form={form} onApply={(v) => setFilters(v)}>
        <Form.Item name="userid">
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={tr('员工', 'Employee')}
            options={dir.employeeOptions}
            style={{ width: 160 }}
          />
        </Form.Item>
        <Form.Item name="range">
          <DatePicker.RangePicker placeholder={[tr('开始日期', 'From'), tr('结束日期', 'To')]} />
        </Form.Item>
      </FilterBar>
      {list.page.error && <Alert type="error" showIcon title={list.page.error} />}
      <Table<Collision>
        rowKey="id"
        size="middle"
        data-testid="collision-table"
        loading={list.page.loading}
        dataSource={list.page.data?.items ?? []}
        pagination={false}
        scroll={{ x: 900 }}
        locale={{
          emptyText: (
            <Empty
              description={tr(
                '没有撞单记录。开启防撞单后，已归属的客户再添加其他员工时会记录在这里。',
                'No collisions. With the lock on, an owned customer adding another employee shows here.',
              )}
            />
          ),
        }}
        columns={[
          {
            title: tr('客户', 'Customer'),
            key: 'customer',
            render: (_: unknown, c) => (
              <Space>
                <Avatar size="small" src={c.customer_avatar || undefined}>
                  {c.customer_name.slice(0, 1)}
                </Avatar>
                <Typography.Link onClick={() => onCustomer(c.customer_id)}>{c.customer_name}</Typography.Link>
              </Space>
            ),
          },
          { title: tr('归属员工（撞单时）', 'Owner (then)'), key: 'owner', render: (_: unknown, c) => c.owner_name || dir.empName(c.owner_userid) },
          { title: tr('又添加的员工', 'Also added'), key: 'other', render: (_: unknown, c) => c.other_name || dir.empName(c.other_userid) },
          { title: tr('渠道', 'Channel'), dataIndex: 'channel_name', render: (n: string) => n || '—' },
          { title: tr('时间', 'At'), dataIndex: 'at', render: fmt },
          {
            title: tr('当前归属', 'Owner now'),
            key: 'now',
            render: (_: unknown, c) => <span data-testid="collision-owner-now">{c.current_owner_name || '—'}</span>,
          },
          {
            title: tr('操作', 'Actions'),
            key: 'actions',
            render: (_: unknown, c) => (
              <Button size="small" onClick={() => setEditing(c)} data-testid="collision-reassign">
                {tr('更换归属', 'Reassign')}
              </Button>
            ),
          },
        ]}
      />
      <Pager list={list} />
      <OwnerModal
        customerId={editing?.customer_id ?? null}
        suggest={editing?.other_userid}
        onClose={(changed) => {
          setEditing(null)
          if (changed) void list.page.reload()
        }}
      />
    </Space>
  )
}
