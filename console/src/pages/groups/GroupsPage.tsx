import { useState } from 'react'
import { Alert, Card, Drawer, Empty, Input, Space, Table } from 'antd'
import { Pager, useCursorList } from '../../list'
import { fmtTime, useI18n } from '../../i18n'
import CustomerDrawer from '../customers/CustomerDrawer'
import GroupDetail from './GroupDetail'
import { GroupTagFilter, GroupTagManager } from './GroupTags'

interface Group {
  chat_id: string
  name: string
  owner: string
  owner_name: string
  member_count: number
  created_at_wecom: string | null
  dismissed_at: string | null
}

export default function GroupsPage() {
  const { tr } = useI18n()
  const [keyword, setKeyword] = useState('')
  const [tagId, setTagId] = useState<number | undefined>(undefined)
  const [open, setOpen] = useState<string | null>(null)
  const list = useCursorList<Group>('/groups', { keyword, tag_id: tagId })
  const groups = list.page
  const [customer, setCustomer] = useState<number | null>(null)
  const openGroup = (groups.data?.items ?? []).find((g) => g.chat_id === open)
  return (
    <Card title={tr('客户群', 'Group chats')} extra={<Space><GroupTagFilter value={tagId} onChange={setTagId} /><GroupTagManager /><Input.Search allowClear placeholder={tr('群名', 'Name')} onSearch={setKeyword} style={{ width: 200 }} /></Space>}>
      {groups.error && <Alert type="error" showIcon title={groups.error} />}
      <Table<Group>
        rowKey="chat_id"
        loading={groups.loading}
        dataSource={groups.data?.items ?? []}
        scroll={{ x: 500 }}
        pagination={false}
        onChange={list.onChange}
        onRow={(g) => ({ onClick: () => setOpen(g.chat_id), style: { cursor: 'pointer' }, 'data-testid': 'group-row' }) as React.HTMLAttributes<HTMLElement>}
        locale={{ emptyText: <Empty description={tr('没有客户群。员工在企业微信中创建客户群后，同步即可看到。', 'No group chats. Groups employees create in WeCom appear after a sync.')} /> }}
        columns={[
          { title: tr('群名', 'Name'), dataIndex: 'name', ...list.sortable('name'), render: (n: string) => n || tr('(未命名)', '(unnamed)') },
          { title: tr('群主', 'Owner'), dataIndex: 'owner', ...list.sortable('owner'), render: (u: string, g) => g.owner_name || u },
          { title: tr('人数', 'Members'), dataIndex: 'member_count', ...list.sortable('member_count') },
          { title: tr('创建时间', 'Created'), dataIndex: 'created_at_wecom', render: fmtTime },
        ]}
      />
      <Pager list={list} />
      <Drawer
        open={open !== null}
        onClose={() => setOpen(null)}
        size="large"
        title={openGroup?.name || tr('群详情', 'Group')}
        destroyOnHidden
      >
        {open && <GroupDetail chatId={open} onCustomer={setCustomer} />}
      </Drawer>
      <CustomerDrawer id={customer} onClose={() => setCustomer(null)} />
    </Card>
  )
}
