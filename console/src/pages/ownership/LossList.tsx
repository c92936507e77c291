// 流失客户: relations that ended, both directions (the customer deleted the employee, or the
// employee deleted the customer), with filters on the corp's calendar days and an export.
import { useState } from 'react'
import { Alert, Avatar, Button, DatePicker, Empty, Form, Input, Segmented, Select, Space, Table, Tag, Typography } from 'antd'
import { DownloadOutlined } from '@ant-design/icons'
import type { Dayjs } from 'dayjs'
import { get, query, type Page, type Schemas } from '../../api'
import { useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import { useCorpTime } from '../../dates'
import { FilterBar, Pager, useCursorList } from '../../list'
import type { Dir } from '../directory'
import type { ChannelCode } from '../channels/channelTypes'

type Loss = Schemas['LossOut']

interface LossFilters {
  userid?: string
  channel_id?: number
  keyword?: string
  range?: [Dayjs, Dayjs] | null
}

export const BY_LABELS: Record<string, [string, string, string]> = {
  customer: ['客户删除员工', 'Customer deleted the employee', 'red'],
  employee: ['员工删除客户', 'Employee deleted the customer', 'orange'],
}

export default function LossList({ dir, onCustomer }: { dir: Dir; onCustomer: (id: number) => void }) {
  const { tr } = useI18n()
  const fmt = useCorpTime()
  const [form] = Form.useForm<LossFilters>()
  const [by, setBy] = useState<string>('')
  const [filters, setFilters] = useState<LossFilters>({})
  const channels = useLoad(() => get<Page<ChannelCode>>('/acquisition/channels', { limit: 200 }), [])
  const params = {
    userid: filters.userid,
    channel_id: filters.channel_id,
    keyword: filters.keyword,
    start: filters.range?.[0]?.format('YYYY-MM-DD'),
    end: filters.range?.[1]?.format('YYYY-MM-DD'),
  }
  const list = useCursorList<Loss>('/acquisition/losses', { ...params, by: by || undefined })
  const counts = useLoad(() => get<Record<string, number>>('/acquisition/losses/counts', params), [JSON.stringify(params)])
  const n = (k: string) => counts.data?.[k] ?? 0
  const rows = list.page.data?.items ?? []
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <FilterBar form={form} onApply={(v) => setFilters(v)}>
        <Form.Item name="keyword">
          <Input allowClear placeholder={tr('客户名称', 'Customer name')} style={{ width: 160 }} data-testid="loss-keyword" />
        </Form.Item>
        <Form.Item name="userid">
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={tr('员工', 'Employee')}
            options={dir.employeeOptions}
            style={{ width: 160 }}
            data-testid="loss-employee"
          />
        </Form.Item>
        <Form.Item name="channel_id">
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={tr('渠道活码', 'Channel code')}
            options={(channels.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
            style={{ width: 180 }}
          />
        </Form.Item>
        <Form.Item name="range">
          <DatePicker.RangePicker placeholder={[tr('流失开始', 'Lost from'), tr('流失结束', 'Lost to')]} />
        </Form.Item>
      </FilterBar>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Segmented
          value={by}
          onChange={(v) => setBy(String(v))}
          data-testid="loss-direction"
          options={[
            { value: '', label: tr(`全部 ${n('customer') + n('employee')}`, `All ${n('customer') + n('employee')}`) },
            { value: 'customer', label: tr(`客户删除员工 ${n('customer')}`, `Deleted by customer ${n('customer')}`) },
            { value: 'employee', label: tr(`员工删除客户 ${n('employee')}`, `Deleted by employee ${n('employee')}`) },
          ]}
        />
        <Button
          icon={<DownloadOutlined />}
          href={`/api/v1/acquisition/losses/export${query({ ...params, by: by || undefined, format: 'xlsx' })}`}
          data-testid="loss-export"
        >
          {tr('导出', 'Export')}
        </Button>
      </Space>
      {list.page.error && <Alert type="error" showIcon title={list.page.error} />}
      <Table<Loss>
        rowKey="id"
        size="middle"
        data-testid="loss-table"
        loading={list.page.loading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 900 }}
        locale={{
          emptyText: (
            <Empty
              description={tr(
                '没有流失记录。客户删除员工、或员工删除客户后会出现在这里。',
                'No losses. A customer deleting an employee, or an employee deleting a customer, shows here.',
              )}
            />
          ),
        }}
        columns={[
          {
            title: tr('客户', 'Customer'),
            key: 'customer',
            render: (_: unknown, x) => (
              <Space>
                <Avatar size="small" src={x.customer_avatar || undefined}>
                  {x.customer_name.slice(0, 1)}
                </Avatar>
                <Typography.Link onClick={() => onCustomer(x.customer_id)} data-testid="loss-customer">
                  {x.customer_name || tr('(未命名)', '(unnamed)')}
                </Typography.Link>
              </Space>
            ),
          },
          { title: tr('员工', 'Employee'), key: 'employee', render: (_: unknown, x) => x.employee_name || dir.empName(x.userid) },
          {
            title: tr('流失方式', 'Direction'),
            dataIndex: 'by',
            render: (b: string) => {
              const l = BY_LABELS[b]
              return l ? <Tag color={l[2]}>{tr(l[0], l[1])}</Tag> : b
            },
          },
          { title: tr('渠道', 'Channel'), dataIndex: 'channel_name', render: (c: string) => c || '—' },
          { title: tr('添加时间', 'Added'), dataIndex: 'added_at', render: fmt },
          { title: tr('流失时间', 'Lost at'), dataIndex: 'deleted_at', render: fmt },
          {
            title: tr('跟进天数', 'Days kept'),
            dataIndex: 'kept_days',
            render: (d: number | null) => (d === null || d === undefined ? '—' : tr(`${d} 天`, `${d} d`)),
          },
          {
            title: tr('提醒员工', 'Alerted'),
            dataIndex: 'alerted',
            render: (a: boolean) => (a ? <Tag color="blue">{tr('已提醒', 'Alerted')}</Tag> : '—'),
          },
        ]}
      />
      <Pager list={list} />
    </Space>
  )
}
