// 客户分群: segment members and live count.
import { useState } from 'react'
import { Alert, Button, Space, Spin, Table, Tag, Typography } from 'antd'
import { get, post, type Customer, type Page } from '../../api'
import { useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'

/** A saved segment's members (`id`), or those an unsaved definition matches now (`draft`). */
export function Members({
  id,
  draft,
  empName,
}: {
  id?: number
  draft?: { rule: Record<string, unknown>; include_deleted: boolean }
  empName: (u: string) => string
}) {
  const { tr } = useI18n()
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const cursor = cursors[cursors.length - 1]
  const draftJson = draft ? JSON.stringify(draft) : ''
  const page = useLoad(
    () =>
      draftJson
        ? post<Page<Customer>>('/segments/preview/members', { ...JSON.parse(draftJson), limit: 20, cursor })
        : get<Page<Customer>>(`/segments/${id}/members`, { cursor, limit: 20 }),
    [id, draftJson, cursor],
  )
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {page.error && <Alert type="error" showIcon title={page.error} />}
      <Table<Customer>
        rowKey="id"
        size="small"
        loading={page.loading}
        dataSource={page.data?.items ?? []}
        pagination={false}
        data-testid="segment-member-table"
        locale={{ emptyText: tr('没有符合条件的客户。', 'No customer matches.') }}
        columns={[
          { title: tr('客户', 'Customer'), dataIndex: 'name', render: (n: string) => n || tr('未命名客户', 'Unnamed customer') },
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
            title: tr('跟进员工', 'Employees'),
            dataIndex: 'userids',
            render: (ids: string[]) => ids.map(empName).join('、'),
          },
          { title: tr('首次添加', 'First added'), dataIndex: 'first_added_at', render: fmtTime },
        ]}
      />
      <Space style={{ justifyContent: 'flex-end', width: '100%' }}>
        <Button size="small" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          {tr('上一页', 'Previous')}
        </Button>
        <Typography.Text type="secondary">{tr(`第 ${cursors.length} 页`, `Page ${cursors.length}`)}</Typography.Text>
        <Button
          size="small"
          disabled={!page.data?.next_cursor}
          onClick={() => setCursors([...cursors, page.data?.next_cursor ?? null])}
        >
          {tr('下一页', 'Next')}
        </Button>
      </Space>
    </Space>
  )
}

export function SegmentCount({ id, stamp }: { id: number; stamp: string }) {
  const c = useLoad(() => get<{ count: number }>(`/segments/${id}/count`), [id, stamp])
  if (c.loading) return <Spin size="small" />
  if (c.error) return <Typography.Text type="danger">{c.error}</Typography.Text>
  return <span data-testid={`segment-members-${id}`}>{c.data?.count}</span>
}
