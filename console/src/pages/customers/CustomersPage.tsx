import { useMemo, useState } from 'react'
import { Alert, Button, Card, DatePicker, Empty, Form, Input, Select, Space, Table, Tag, Typography } from 'antd'
import { FilterBar, Pager, useCursorList } from '../../list'
import { DownloadOutlined, ReloadOutlined, TagsOutlined } from '@ant-design/icons'
import type { Dayjs } from 'dayjs'
import { get, query, type Customer, type Employee, type Page, type TagGroup } from '../../api'
import { useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { useAuth } from '../../auth'
import BatchTagModal, { type BatchTarget } from './BatchTagModal'
import CustomerDrawer from './CustomerDrawer'
import { STAGE_COLORS, useStages } from './stages'

interface Filters {
  tags_any?: string[]
  userid?: string
  state?: string
  keyword?: string
  stage_id?: number
  added?: [Dayjs, Dayjs]
}

export default function CustomersPage() {
  const { tr } = useI18n()
  const [form] = Form.useForm<Filters>()
  const [filters, setFilters] = useState<Filters>({})
  const [open, setOpen] = useState<number | null>(null)
  const params = useMemo(
    () => ({
      tags_any: filters.tags_any,
      userid: filters.userid,
      state: filters.state,
      keyword: filters.keyword,
      stage_id: filters.stage_id,
      added_from: filters.added?.[0]?.startOf('day').toISOString(),
      added_to: filters.added?.[1]?.add(1, 'day').startOf('day').toISOString(),
    }),
    [filters],
  )
  const list = useCursorList<Customer>('/customers', params, { sort: '-added_at' })
  const page = list.page
  const count = useLoad(() => get<{ count: number }>('/customers/count', params), [params])
  const groups = useLoad(() => get<TagGroup[]>('/tags/groups'), [])
  const employees = useLoad(() => get<Page<Employee>>('/employees', { limit: 500 }), [])
  const stages = useStages()
  const names = new Map((employees.data?.items ?? []).map((e) => [e.userid, e.display_name || e.name]))
  const { me } = useAuth()
  // row selection for batch tagging: ids across pages, or "every customer the filter matches"
  const [selected, setSelected] = useState<number[]>([])
  const [allMatching, setAllMatching] = useState(false)
  const [batch, setBatch] = useState<BatchTarget | null>(null)
  const paramsKey = JSON.stringify(params)
  const [selectionKey, setSelectionKey] = useState(paramsKey)
  if (selectionKey !== paramsKey) {
    // filters changed: the selection belonged to the old list
    setSelectionKey(paramsKey)
    setSelected([])
    setAllMatching(false)
  }
  const total = count.data?.count ?? 0
  const clearSelection = () => {
    setSelected([])
    setAllMatching(false)
  }
  const openBatch = () =>
    setBatch(
      allMatching
        ? { kind: 'filter', filter: JSON.parse(paramsKey) as Record<string, unknown>, count: total }
        : { kind: 'ids', ids: selected },
    )
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <FilterBar form={form} onApply={setFilters}>
        <Form.Item name="keyword">
          <Input allowClear placeholder={tr('姓名 / 备注', 'Name / remark')} style={{ width: 180 }} />
        </Form.Item>
        <Form.Item name="tags_any">
          <Select
            mode="multiple"
            allowClear
            placeholder={tr('标签 (任一)', 'Tags (any)')}
            style={{ minWidth: 200 }}
            showSearch={{ optionFilterProp: 'label' }}
            options={(groups.data ?? []).map((g) => ({
              label: g.name,
              options: g.tags.map((t) => ({ label: t.name, value: t.tag_id })),
            }))}
          />
        </Form.Item>
        <Form.Item name="userid">
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={tr('跟进员工', 'Employee')}
            style={{ width: 160 }}
            options={(employees.data?.items ?? []).map((e) => ({ label: e.display_name || e.name, value: e.userid }))}
          />
        </Form.Item>
        <Form.Item name="stage_id">
          <Select
            allowClear
            placeholder={tr('客户阶段', 'Stage')}
            style={{ width: 140 }}
            data-testid="stage-filter"
            options={(stages.data ?? []).map((s) => ({ label: s.name, value: s.id }))}
          />
        </Form.Item>
        <Form.Item name="state">
          <Input allowClear placeholder={tr('渠道参数', 'Channel (state)')} style={{ width: 150 }} />
        </Form.Item>
        <Form.Item name="added">
          <DatePicker.RangePicker placeholder={[tr('添加开始', 'Added from'), tr('添加结束', 'Added to')]} />
        </Form.Item>
      </FilterBar>
      <Card
        title={
          <Space>
            {tr('客户列表', 'Customers')}
            <Typography.Text type="secondary" data-testid="customer-count">
              {count.data ? tr(`共 ${count.data.count} 位`, `${count.data.count} in total`) : ''}
            </Typography.Text>
          </Space>
        }
        extra={
          <Space>
            <Button
              icon={<TagsOutlined />}
              data-testid="batch-tag"
              disabled={!allMatching && selected.length === 0}
              onClick={openBatch}
            >
              {tr('批量打标签', 'Batch tag')}
            </Button>
            <Button icon={<ReloadOutlined />} onClick={() => void page.reload()} aria-label="reload" />
            <Button icon={<DownloadOutlined />} href={`/api/v1/customers/export${query({ ...params, sort: list.sort, format: 'xlsx' })}`}>
              {tr('导出', 'Export')}
            </Button>
          </Space>
        }
      >
        {page.error && <Alert type="error" showIcon title={page.error} style={{ marginBottom: 12 }} />}
        {(selected.length > 0 || allMatching) && (
          <Alert
            type="info"
            style={{ marginBottom: 12 }}
            data-testid="selection-bar"
            title={
              <Space wrap>
                <span data-testid="selection-count">
                  {allMatching
                    ? tr(`已选择符合当前筛选条件的全部 ${total} 位客户`, `All ${total} customers matching the filter are selected`)
                    : tr(`已选择 ${selected.length} 位客户`, `${selected.length} customers selected`)}
                </span>
                {!allMatching && me?.full_access && total > selected.length && (
                  <a data-testid="select-all-matching" onClick={() => setAllMatching(true)}>
                    {tr(`选择全部 ${total} 位符合筛选条件的客户`, `Select all ${total} customers matching the filter`)}
                  </a>
                )}
                <a data-testid="clear-selection" onClick={clearSelection}>
                  {tr('清除选择', 'Clear selection')}
                </a>
              </Space>
            }
          />
        )}
        <Table<Customer>
          rowKey="id"
          size="middle"
          loading={page.loading}
          dataSource={page.data?.items ?? []}
          pagination={false}
          rowSelection={{
            preserveSelectedRowKeys: true,
            selectedRowKeys: allMatching ? (page.data?.items ?? []).map((c) => c.id) : selected,
            onChange: (keys) => {
              setAllMatching(false)
              setSelected(keys.map(Number))
            },
          }}
          onChange={list.onChange}
          scroll={{ x: 800 }}
          locale={{
            emptyText: (
              <Empty
                description={tr(
                  '没有符合条件的客户。调整筛选条件，或在「同步」页面从企业微信同步客户。',
                  'No customers match. Change the filters, or pull customers from WeCom on the Sync page.',
                )}
              />
            ),
          }}
          onRow={(c) => ({
            // a click in the checkbox cell selects the row, elsewhere it opens the customer
            onClick: (e) => {
              if (!(e.target as HTMLElement).closest('.ant-table-selection-column')) setOpen(c.id)
            },
            style: { cursor: 'pointer' },
          })}
          columns={[
            {
              title: tr('客户', 'Customer'),
              dataIndex: 'name',
              render: (name: string, c) => (
                <a data-testid="customer-name" data-external={c.external_userid}>
                  {name || tr('未命名客户', 'Unnamed customer')}
                </a>
              ),
            },
            {
              title: tr('标签', 'Tags'),
              dataIndex: 'tags',
              render: (tags: Customer['tags']) => (
                <Space wrap size={[2, 4]}>
                  {tags.map((t) => (
                    <Tag key={t.tag_id}>{t.name || t.tag_id}</Tag>
                  ))}
                </Space>
              ),
            },
            {
              title: tr('阶段', 'Stage'),
              dataIndex: 'stage_name',
              render: (name: string, c) => (name ? <Tag color={STAGE_COLORS[c.stage_kind] ?? 'blue'}>{name}</Tag> : null),
            },
            {
              title: tr('跟进员工', 'Employees'),
              dataIndex: 'userids',
              render: (ids: string[]) => ids.map((u) => names.get(u) ?? u).join('、'),
            },
            { title: tr('备注', 'Remark'), dataIndex: 'remarks', render: (r: string[]) => r.join('；') },
            {
              title: tr('首次添加', 'First added'),
              dataIndex: 'first_added_at',
              ...list.sortable('added_at'),
              render: fmtTime,
            },
          ]}
        />
        <Pager list={list} />
      </Card>
      {batch && (
        <BatchTagModal
          target={batch}
          groups={groups.data ?? []}
          userid={filters.userid}
          employeeName={filters.userid ? names.get(filters.userid) : undefined}
          onClose={() => {
            setBatch(null)
            void page.reload()
          }}
          onFinished={() => {
            clearSelection()
            void page.reload()
            void count.reload()
            void groups.reload()
          }}
        />
      )}
      <CustomerDrawer
        id={open}
        onClose={() => {
          setOpen(null)
          void page.reload()
        }}
      />
    </Space>
  )
}
