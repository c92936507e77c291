// 渠道活码: the detail drawer (QR / poster, duty, stats).
import { useMemo, useState } from 'react'
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Drawer,
  Image,
  Row,
  Space,
  Statistic,
  Tag,
  Typography,
} from 'antd'
import { DownloadOutlined, QrcodeOutlined } from '@ant-design/icons'
import { type Dayjs } from 'dayjs'
import { get, query } from '../../api'
import { useLoad } from '../../hooks'
import { useLastDays } from '../../dates'
import { useI18n } from '../../i18n'
import Chart from '../../Chart'
import { type Dir } from '../directory'
import { offReason, type ChannelCode, type Duty, type Stats } from './channelTypes'

export default function ChannelDrawer({ code, dir, onClose }: { code: ChannelCode | null; dir: Dir; onClose: () => void }) {
  return (
    <Drawer open={!!code} onClose={onClose} size="large" title={code?.name} destroyOnHidden data-testid="channel-drawer">
      {code && <ChannelDetail code={code} dir={dir} />}
    </Drawer>
  )
}

function ChannelDetail({ code, dir }: { code: ChannelCode; dir: Dir }) {
  const { tr } = useI18n()
  const [range, setRange] = useState<[Dayjs, Dayjs]>(useLastDays(30))
  const duty = useLoad(() => get<Duty>(`/acquisition/channels/${code.id}/duty`), [code.id])
  const stats = useLoad(
    () =>
      get<Stats>('/acquisition/stats', {
        by: 'day',
        channel_id: String(code.id),
        start: range[0].format('YYYY-MM-DD'),
        end: range[1].format('YYYY-MM-DD'),
      }),
    [code.id, range],
  )
  const option = useMemo(() => {
    const trend = stats.data?.trend ?? []
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, left: 'center', data: [tr('新增', 'Adds'), tr('流失', 'Lost'), tr('净增', 'Net')] },
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: trend.map((p) => p.day.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: tr('新增', 'Adds'), type: 'bar', data: trend.map((p) => p.adds), itemStyle: { color: '#07c160' } },
        { name: tr('流失', 'Lost'), type: 'bar', data: trend.map((p) => p.lost), itemStyle: { color: '#ff7875' } },
        { name: tr('净增', 'Net'), type: 'line', data: trend.map((p) => p.net) },
      ],
    }
  }, [stats.data, tr])
  const t = stats.data?.totals
  const offIds = new Set((duty.data?.off_duty ?? []).map((o) => o.userid))
  const fallback = !!duty.data?.on_duty.length && duty.data.on_duty.every((u) => offIds.has(u))
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Row gutter={16}>
        <Col flex="none">
          <Image
            width={160}
            src={`/api/v1/acquisition/channels/${code.id}/qr.png`}
            alt="QR"
            data-testid="channel-qr"
          />
        </Col>
        <Col flex="auto">
          <Descriptions column={1} size="small">
            <Descriptions.Item label="state">
              <Typography.Text copyable code data-testid="channel-state">
                {code.state}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={tr('分组', 'Group')}>{code.group_name || '—'}</Descriptions.Item>
            <Descriptions.Item label={tr('自动标签', 'Auto tags')}>
              {code.tag_ids.map((x) => (
                <Tag key={x}>{dir.tagName(x)}</Tag>
              ))}
            </Descriptions.Item>
            <Descriptions.Item label={tr('下载', 'Download')}>
              <Space>
                <Button size="small" icon={<QrcodeOutlined />} href={`/api/v1/acquisition/channels/${code.id}/qr.png`} download>
                  {tr('二维码', 'QR code')}
                </Button>
                <Button size="small" icon={<DownloadOutlined />} href={`/api/v1/acquisition/channels/${code.id}/poster.png`} download>
                  {tr('海报', 'Poster')}
                </Button>
              </Space>
            </Descriptions.Item>
          </Descriptions>
        </Col>
      </Row>
      <Card size="small" title={tr('接待状态', 'On duty')} extra={<a onClick={() => void duty.reload()}>{tr('刷新', 'Refresh')}</a>}>
        {duty.error && <Alert type="error" showIcon title={duty.error} />}
        {duty.data && (
          <Space orientation="vertical" style={{ width: '100%' }} data-testid="channel-duty">
            <div>
              {fallback
                ? tr('无人在岗，兜底接待：', 'Nobody on duty; falling back to: ')
                : tr('当前接待：', 'On duty: ')}
              {duty.data.on_duty.map((u) => (
                <Tag color={fallback ? 'orange' : 'green'} key={u}>
                  {dir.empName(u)}（{tr('今日', 'today')} {duty.data?.adds_today[u] ?? 0}）
                </Tag>
              ))}
            </div>
            {duty.data.off_duty.length > 0 && (
              <div>
                {tr('暂停接待：', 'Off duty: ')}
                {duty.data.off_duty.map((o, i) => (
                  <Tag key={i}>
                    {dir.empName(o.userid ?? '')} {o.reason ? `(${offReason(o.reason, tr)})` : ''}
                  </Tag>
                ))}
              </div>
            )}
            <Typography.Text type="secondary">
              {duty.data.skip_verify ? tr('当前自动通过好友申请', 'Requests are accepted automatically') : tr('当前需员工验证', 'Requests wait for the employee')}
            </Typography.Text>
          </Space>
        )}
      </Card>
      <Card
        size="small"
        title={tr('渠道数据', 'Statistics')}
        extra={
          <DatePicker.RangePicker
            size="small"
            allowClear={false}
            value={range}
            onChange={(v) => v && v[0] && v[1] && setRange([v[0], v[1]])}
          />
        }
      >
        {stats.error && <Alert type="error" showIcon title={stats.error} />}
        <Row gutter={16} data-testid="channel-stats">
          <Col span={6}>
            <Statistic title={tr('新增', 'Adds')} value={t?.adds ?? 0} />
          </Col>
          <Col span={6}>
            <Statistic title={tr('流失', 'Lost')} value={t?.lost ?? 0} />
          </Col>
          <Col span={6}>
            <Statistic title={tr('净增', 'Net')} value={t?.net ?? 0} />
          </Col>
          <Col span={6}>
            <Statistic title={tr('留存', 'Retained')} value={t?.retained ?? 0} />
          </Col>
        </Row>
        <Chart option={option} height={260} />
        <Button
          size="small"
          icon={<DownloadOutlined />}
          href={`/api/v1/acquisition/stats/export${query({
            channel_id: String(code.id),
            start: range[0].format('YYYY-MM-DD'),
            end: range[1].format('YYYY-MM-DD'),
            format: 'xlsx',
          })}`}
        >
          {tr('导出明细', 'Export detail')}
        </Button>
      </Card>
    </Space>
  )
}
