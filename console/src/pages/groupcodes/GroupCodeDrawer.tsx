// 群活码: detail drawer (QR / poster, per-group fill, joins by day).
import { useMemo, useState } from 'react'
import { Alert, Button, Col, DatePicker, Descriptions, Drawer, Image, Progress, Row, Space, Statistic, Table, Tag } from 'antd'
import { DownloadOutlined } from '@ant-design/icons'
import { type Dayjs } from 'dayjs'
import { get } from '../../api'
import { useLoad } from '../../hooks'
import { useLastDays } from '../../dates'
import { fmtTime, useI18n } from '../../i18n'
import Chart from '../../Chart'
import type { GroupCode, GroupCodeStats, GroupStatRow } from './types'

export default function GroupCodeDrawer({ code, onClose }: { code: GroupCode | null; onClose: () => void }) {
  return (
    <Drawer open={!!code} onClose={onClose} size="large" title={code?.name} destroyOnHidden data-testid="group-code-drawer">
      {code && <Detail code={code} />}
    </Drawer>
  )
}

function Detail({ code }: { code: GroupCode }) {
  const { tr } = useI18n()
  const [range, setRange] = useState<[Dayjs, Dayjs]>(useLastDays(30))
  const stats = useLoad(
    () =>
      get<GroupCodeStats>(`/acquisition/group-codes/${code.id}/stats`, {
        start: range[0].format('YYYY-MM-DD'),
        end: range[1].format('YYYY-MM-DD'),
      }),
    [code.id, range],
  )
  const option = useMemo(() => {
    const trend = stats.data?.trend ?? []
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, left: 'center', data: [tr('入群', 'Joins'), tr('退群', 'Leaves')] },
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: trend.map((p) => p.day.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: tr('入群', 'Joins'), type: 'bar', data: trend.map((p) => p.joins), itemStyle: { color: '#07c160' } },
        { name: tr('退群', 'Leaves'), type: 'bar', data: trend.map((p) => p.leaves), itemStyle: { color: '#ff7875' } },
      ],
    }
  }, [stats.data, tr])
  const s = stats.data
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Row gutter={16}>
        <Col flex="none">
          <Image width={160} src={`/api/v1/acquisition/group-codes/${code.id}/qr.png`} alt="QR" data-testid="group-code-qr" />
        </Col>
        <Col flex="auto">
          <Descriptions column={1} size="small">
            <Descriptions.Item label="state">
              <span data-testid="group-code-state">{code.state}</span>
            </Descriptions.Item>
            <Descriptions.Item label={tr('自动建群', 'Auto-create')}>
              {code.auto_create_room ? (
                <Tag color="green">{tr(`是：${code.room_base_name}${code.room_base_id}…`, `Yes: ${code.room_base_name}${code.room_base_id}…`)}</Tag>
              ) : (
                <Tag>{tr('否', 'No')}</Tag>
              )}
            </Descriptions.Item>
            <Descriptions.Item label={tr('创建时间', 'Created')}>{fmtTime(code.created_at)}</Descriptions.Item>
          </Descriptions>
          <Space wrap>
            <Button icon={<DownloadOutlined />} href={`/api/v1/acquisition/group-codes/${code.id}/qr.png`} download data-testid="group-code-qr-download">
              {tr('下载二维码', 'Download QR')}
            </Button>
            <Button icon={<DownloadOutlined />} href={`/api/v1/acquisition/group-codes/${code.id}/poster.png`} download>
              {tr('下载海报', 'Download poster')}
            </Button>
          </Space>
        </Col>
      </Row>
      {stats.error && <Alert type="error" showIcon title={stats.error} />}
      <Row gutter={16} data-testid="group-code-totals">
        <Col span={8}>
          <Statistic title={tr('累计入群', 'Joins')} value={s?.joins ?? 0} />
        </Col>
        <Col span={8}>
          <Statistic title={tr('累计退群', 'Leaves')} value={s?.leaves ?? 0} />
        </Col>
        <Col span={8}>
          <Statistic title={tr('净增', 'Net')} value={s?.net ?? 0} />
        </Col>
      </Row>
      <Table<GroupStatRow>
        rowKey="chat_id"
        size="small"
        pagination={false}
        loading={stats.loading}
        dataSource={s?.groups ?? []}
        data-testid="group-code-groups"
        columns={[
          { title: tr('群聊', 'Group chat'), dataIndex: 'name', render: (n: string) => n || tr('未命名群聊', 'Unnamed group chat') },
          {
            title: tr('人数 / 上限', 'Members / cap'),
            key: 'fill',
            width: 200,
            render: (_: unknown, g) => (
              <Progress
                size="small"
                percent={Math.round((100 * g.members) / g.capacity)}
                format={() => `${g.members}/${g.capacity}`}
                status={g.members >= g.capacity ? 'exception' : 'normal'}
              />
            ),
          },
          { title: tr('入群', 'Joins'), dataIndex: 'joins' },
          { title: tr('退群', 'Leaves'), dataIndex: 'leaves' },
        ]}
      />
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <strong>{tr('每日入群', 'Joins by day')}</strong>
        <DatePicker.RangePicker
          allowClear={false}
          value={range}
          onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
        />
      </Space>
      <Chart option={option} height={240} />
    </Space>
  )
}
