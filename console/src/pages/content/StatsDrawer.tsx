// 素材库: one item's statistics (opens, unique openers, read time, recent opens) and
// "copy radar link" for an employee and (optionally) a customer.
import { useState } from 'react'
import { Alert, Button, Card, Col, Drawer, Empty, Input, Popconfirm, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd'
import { CopyOutlined, LinkOutlined, StopOutlined } from '@ant-design/icons'
import { get, post, type Customer, type Page } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import type { Dir } from '../directory'
import { readTime, type ContentItem, type ContentStats, type RadarOpen } from './shared'

function RadarLinkForm({ item, dir, onMade }: { item: ContentItem; dir: Dir; onMade: () => void }) {
  const { tr } = useI18n()
  const act = useAction()
  const [userid, setUserid] = useState<string | undefined>()
  const [customer, setCustomer] = useState<number | undefined>()
  const [options, setOptions] = useState<{ label: string; value: number }[]>([])
  const [url, setUrl] = useState('')
  const search = async (keyword: string) => {
    const page = await get<Page<Customer>>('/customers', { keyword, limit: 20, userid })
    setOptions(page.items.map((c) => ({ label: c.name || tr('未命名客户', 'Unnamed customer'), value: c.id })))
  }
  const make = async () => {
    const made = await act(
      () => post<{ url: string }>(`/content/${item.id}/radar-links`, { userid, customer_id: customer ?? null }),
    )
    if (!made) return
    setUrl(made.url)
    onMade()
    try {
      await navigator.clipboard.writeText(made.url)
    } catch {
      // clipboard may be unavailable (http, permissions): the link is shown to copy by hand
    }
  }
  return (
    <Card size="small" title={tr('生成雷达链接', 'Make a radar link')}>
      <Space wrap>
        <Select
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={tr('发送员工', 'Sending employee')}
          style={{ width: 180 }}
          options={dir.employeeOptions}
          value={userid}
          onChange={setUserid}
          data-testid="radar-employee"
        />
        <Select
          allowClear
          showSearch={{ filterOption: false, onSearch: (v: string) => void search(v) }}
          placeholder={tr('客户（可选，留空则通过授权识别）', 'Customer (optional; else identified by OAuth)')}
          style={{ width: 300 }}
          options={options}
          value={customer}
          onChange={setCustomer}
          onFocus={() => void search('')}
        />
        <Button type="primary" icon={<LinkOutlined />} disabled={!userid} onClick={() => void make()} data-testid="radar-make">
          {tr('生成并复制', 'Make and copy')}
        </Button>
      </Space>
      {url && (
        <Space.Compact block style={{ marginTop: 12 }}>
          <Input readOnly value={url} data-testid="radar-url" />
          <Button icon={<CopyOutlined />} onClick={() => void navigator.clipboard?.writeText(url)} aria-label="copy" />
          <Popconfirm
            title={tr('撤销后，此链接打开将显示“内容已失效”。', 'Once revoked, this link shows “content withdrawn”.')}
            onConfirm={async () => {
              const done = await act(
                () => post(`/content/${item.id}/radar-links/revoke`, { link: url }),
                tr('链接已撤销', 'Link revoked'),
              )
              if (done) setUrl('')
            }}
          >
            <Button danger icon={<StopOutlined />} data-testid="radar-revoke-made">
              {tr('撤销', 'Revoke')}
            </Button>
          </Popconfirm>
        </Space.Compact>
      )}
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {tr(
          '客户打开链接时，员工会收到应用消息，打开记录写入客户动态；未指定客户时，打开者经企业微信授权识别。',
          'When the customer opens it the employee gets an app message and the open lands on the customer’s timeline; without a customer, the opener is identified through WeCom OAuth.',
        )}
      </Typography.Paragraph>
    </Card>
  )
}

export default function StatsDrawer({ item, dir, onClose }: { item: ContentItem | null; dir: Dir; onClose: () => void }) {
  const { tr } = useI18n()
  const act = useAction()
  const revoke = async (body: { open_id?: number; all?: boolean }, ok: string) => {
    if (!item) return
    await act(() => post(`/content/${item.id}/radar-links/revoke`, body), ok)
    void stats.reload()
  }
  const stats = useLoad(
    () => (item ? get<ContentStats>(`/content/${item.id}/stats`) : Promise.resolve(null)),
    [item?.id],
  )
  const s = stats.data
  return (
    <Drawer open={!!item} size="large" destroyOnHidden title={item?.title} onClose={onClose}>
      {item && (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          {stats.error && <Alert type="error" showIcon title={stats.error} />}
          <Row gutter={16} data-testid="content-stats">
            <Col span={6}>
              <Statistic title={tr('打开次数', 'Opens')} value={s?.opens ?? 0} data-testid="stat-opens" />
            </Col>
            <Col span={6}>
              <Statistic title={tr('打开人数', 'Unique openers')} value={s?.unique_openers ?? 0} />
            </Col>
            <Col span={6}>
              <Statistic title={tr('平均阅读', 'Avg. read')} value={readTime(s?.read_seconds_avg ?? 0, tr)} />
            </Col>
            <Col span={6}>
              <Statistic title={tr('雷达链接 / 发送', 'Links / sends')} value={`${s?.uses ?? 0} / ${s?.sends ?? 0}`} />
            </Col>
          </Row>
          <RadarLinkForm item={item} dir={dir} onMade={() => void stats.reload()} />
          <Card
            size="small"
            title={tr('最近打开', 'Recent opens')}
            extra={
              <Space>
                <Popconfirm
                  title={tr(
                    '撤销此素材已生成的全部雷达链接？撤销后打开将显示“内容已失效”，新生成的链接不受影响。',
                    'Revoke every radar link made so far for this item? They will show “content withdrawn”; links made later still work.',
                  )}
                  onConfirm={() => revoke({ all: true }, tr('已撤销全部链接', 'Every link revoked'))}
                >
                  <Button size="small" danger icon={<StopOutlined />} data-testid="radar-revoke-all">
                    {tr('撤销全部链接', 'Revoke all links')}
                  </Button>
                </Popconfirm>
                <Button size="small" onClick={() => void stats.reload()} data-testid="stats-reload">
                  {tr('刷新', 'Refresh')}
                </Button>
              </Space>
            }
          >
            <Table<RadarOpen>
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={s?.recent ?? []}
              locale={{
                emptyText: (
                  <Empty
                    description={tr(
                      '还没有人打开。生成雷达链接发给客户，打开后会显示在这里。',
                      'Nobody opened it yet. Make a radar link and send it; opens show up here.',
                    )}
                  />
                ),
              }}
              columns={[
                {
                  title: tr('客户', 'Customer'),
                  key: 'customer',
                  render: (_: unknown, o) =>
                    o.customer_id ? (
                      <span data-testid="open-customer">{o.customer_name || `#${o.customer_id}`}</span>
                    ) : (
                      <Tag>{tr('未识别', 'Unidentified')}</Tag>
                    ),
                },
                { title: tr('员工', 'Employee'), dataIndex: 'userid', render: (u: string) => dir.empName(u) },
                {
                  title: tr('识别方式', 'Identified by'),
                  dataIndex: 'identified_by',
                  render: (v: string) =>
                    v === 'oauth' ? tr('授权识别', 'OAuth') : v === 'link' ? tr('专属链接', 'Personal link') : '—',
                },
                { title: tr('阅读时长', 'Read time'), dataIndex: 'read_seconds', render: (v: number) => readTime(v, tr) },
                { title: tr('来源', 'Via'), dataIndex: 'broadcast_id', render: (b: number | null) => (b ? tr(`群发 #${b}`, `Broadcast #${b}`) : '—') },
                { title: tr('打开时间', 'Opened'), dataIndex: 'opened_at', render: fmtTime },
                {
                  title: tr('链接', 'Link'),
                  key: 'link',
                  render: (_: unknown, o) =>
                    o.link_revoked ? (
                      <Tag color="default" data-testid="open-link-revoked">{tr('已撤销', 'Revoked')}</Tag>
                    ) : (
                      <Popconfirm
                        title={tr('撤销这次打开所用的链接？', 'Revoke the link this open came through?')}
                        onConfirm={() => revoke({ open_id: o.id }, tr('链接已撤销', 'Link revoked'))}
                      >
                        <Button type="link" size="small" danger data-testid="open-revoke">
                          {tr('撤销', 'Revoke')}
                        </Button>
                      </Popconfirm>
                    ),
                },
              ]}
            />
          </Card>
        </Space>
      )}
    </Drawer>
  )
}
