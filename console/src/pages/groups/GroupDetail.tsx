// 客户群详情: owner, members (employee / customer / lost customer / not a customer, with the
// customers' tags), joins and leaves per day of the corp's calendar, and the tags in the group.
import { useMemo, useState } from 'react'
import { Alert, Card, Checkbox, DatePicker, Descriptions, Empty, Space, Statistic, Table, Tag, Typography } from 'antd'
import type { Dayjs } from 'dayjs'
import { get, type Schemas } from '../../api'
import { useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import { useCorpTime, useLastDays } from '../../dates'
import Chart from '../../Chart'
import { GroupTagSelect } from './GroupTags'

type Detail = Schemas['GroupChatDetail']
type Member = Schemas['GroupMemberOut']
type Activity = Schemas['GroupActivity']

const FLAGS: Record<string, [string, string, string]> = {
  employee: ['员工', 'Employee', 'default'],
  customer: ['客户', 'Customer', 'green'],
  lost_customer: ['已流失客户', 'Lost customer', 'orange'],
  not_a_customer: ['非客户', 'Not a customer', 'blue'],
}

const SCENES: Record<number, [string, string]> = {
  1: ['成员邀请', 'Invited by a member'],
  2: ['邀请链接', 'Invitation link'],
  3: ['扫描群二维码', 'Scanned the group QR code'],
}

export default function GroupDetail({ chatId, onCustomer }: { chatId: string; onCustomer: (id: number) => void }) {
  const { tr } = useI18n()
  const fmt = useCorpTime()
  const [withLeft, setWithLeft] = useState(false)
  const [range, setRange] = useState<[Dayjs, Dayjs]>(useLastDays(30))
  const detail = useLoad(() => get<Detail>(`/groups/${encodeURIComponent(chatId)}`, { include_left: withLeft }), [chatId, withLeft])
  const activity = useLoad(
    () =>
      get<Activity>(`/groups/${encodeURIComponent(chatId)}/activity`, {
        start: range[0].format('YYYY-MM-DD'),
        end: range[1].format('YYYY-MM-DD'),
      }),
    [chatId, range[0].valueOf(), range[1].valueOf()],
  )
  const a = activity.data
  const d = detail.data
  const byMember = useMemo(() => new Map((a?.member_tags ?? []).map((m) => [m.member_id, m])), [a])
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [tr('入群', 'Joins'), tr('退群', 'Leaves')] },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: (a?.days ?? []).map((x) => x.day.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: tr('入群', 'Joins'), type: 'bar', data: (a?.days ?? []).map((x) => x.joins), itemStyle: { color: '#07c160' } },
        { name: tr('退群', 'Leaves'), type: 'bar', data: (a?.days ?? []).map((x) => x.leaves), itemStyle: { color: '#fa8c16' } },
      ],
    }),
    [a, tr],
  )
  const flagOf = (m: Member): string =>
    m.type === 1 ? 'employee' : (byMember.get(m.member_id)?.flag ?? (m.customer_id ? 'customer' : 'not_a_customer'))
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="group-detail">
      {(detail.error || activity.error) && <Alert type="error" showIcon title={detail.error ?? activity.error} />}
      {d && (
        <Descriptions column={2} size="small" bordered>
          <Descriptions.Item label={tr('群主', 'Owner')}>
            <span data-testid="group-owner">{d.owner_name || d.owner}</span>
          </Descriptions.Item>
          <Descriptions.Item label={tr('人数', 'Members')}>{d.member_count}</Descriptions.Item>
          <Descriptions.Item label={tr('创建时间', 'Created')}>{fmt(d.created_at_wecom)}</Descriptions.Item>
          <Descriptions.Item label={tr('状态', 'Status')}>
            {d.dismissed_at ? <Tag color="red">{tr('已解散', 'Dismissed')}</Tag> : <Tag color="green">{tr('正常', 'Active')}</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label={tr('群标签', 'Group tags')} span={2}>
            <GroupTagSelect chatId={chatId} />
          </Descriptions.Item>
          {d.notice ? (
            <Descriptions.Item label={tr('群公告', 'Notice')} span={2}>
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{d.notice}</Typography.Paragraph>
            </Descriptions.Item>
          ) : null}
        </Descriptions>
      )}
      {a && (
        <Space wrap size="large" data-testid="group-flags">
          <Statistic title={tr('客户', 'Customers')} value={a.members.customers} />
          <Statistic title={tr('已流失客户', 'Lost customers')} value={a.members.lost_customers} />
          <Statistic title={tr('非客户', 'Not customers')} value={a.members.not_customers} />
          <Statistic title={tr('员工', 'Employees')} value={a.members.employees} />
        </Space>
      )}
      <Card
        size="small"
        title={tr('入群与退群', 'Joins and leaves')}
        extra={
          <DatePicker.RangePicker
            size="small"
            allowClear={false}
            value={range}
            onChange={(v) => v && v[0] && v[1] && setRange([v[0], v[1]])}
          />
        }
      >
        {a && (
          <Space size="large" style={{ marginBottom: 8 }}>
            <Typography.Text data-testid="group-joins">
              {tr('入群', 'Joins')} {a.joins}
            </Typography.Text>
            <Typography.Text data-testid="group-leaves">
              {tr('退群', 'Leaves')} {a.leaves}
            </Typography.Text>
          </Space>
        )}
        <Chart option={option} height={220} />
      </Card>
      <Card size="small" title={tr('群内客户的标签', 'Tags of the customers in the group')}>
        {a && a.tags.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tr('群内客户还没有标签。', 'The customers in the group carry no tags yet.')} />
        ) : (
          <Space wrap data-testid="group-tags">
            {(a?.tags ?? []).map((t) => (
              <Tag key={t.tag_id} title={t.group_name}>
                {t.name} · {t.customers}
              </Tag>
            ))}
          </Space>
        )}
      </Card>
      <Card
        size="small"
        title={tr('群成员', 'Members')}
        extra={
          <Checkbox checked={withLeft} onChange={(e) => setWithLeft(e.target.checked)} data-testid="group-with-left">
            {tr('显示已退群成员', 'Show members who left')}
          </Checkbox>
        }
      >
        <Table<Member>
          rowKey="member_id"
          size="small"
          data-testid="group-members"
          loading={detail.loading}
          dataSource={d?.members ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 720 }}
          columns={[
            {
              title: tr('成员', 'Member'),
              key: 'name',
              render: (_: unknown, m) => {
                const name = m.name || (m.type === 2 ? tr('未命名外部联系人', 'Unnamed external contact') : tr('员工', 'Employee'))
                return m.customer_id ? <Typography.Link onClick={() => onCustomer(m.customer_id as number)}>{name}</Typography.Link> : name
              },
            },
            {
              title: tr('身份', 'Kind'),
              key: 'flag',
              render: (_: unknown, m) => {
                const f = FLAGS[flagOf(m)]
                return (
                  <Tag color={f[2]} data-testid="member-flag">
                    {tr(f[0], f[1])}
                  </Tag>
                )
              },
            },
            {
              title: tr('标签', 'Tags'),
              key: 'tags',
              render: (_: unknown, m) => (
                <Space size={[0, 4]} wrap>
                  {(byMember.get(m.member_id)?.tags ?? []).map((t) => (
                    <Tag key={t}>{t}</Tag>
                  ))}
                </Space>
              ),
            },
            { title: tr('入群时间', 'Joined'), dataIndex: 'join_time', render: fmt },
            {
              title: tr('入群方式', 'Joined by'),
              dataIndex: 'join_scene',
              render: (s: number) => (SCENES[s] ? tr(...SCENES[s]) : '—'),
            },
            ...(withLeft
              ? [{ title: tr('退群时间', 'Left'), dataIndex: 'left_at', render: (v: string | null) => (v ? fmt(v) : '—') }]
              : []),
          ]}
        />
      </Card>
    </Space>
  )
}
