import { useMemo, useState } from 'react'
import { Alert, Card, Col, DatePicker, Empty, Row, Spin, Statistic, Typography } from 'antd'
import { type Dayjs } from 'dayjs'
import { get } from '../../api'
import Chart from '../../Chart'
import { useLoad } from '../../hooks'
import { useLastDays } from '../../dates'
import { useI18n, zoneName } from '../../i18n'

interface Ranked {
  key: string
  name: string
  count: number
}
interface Dashboard {
  timezone: string
  total_customers: number
  new_customers: number
  lost_customers: number
  net_customers: number
  active_customers: number
  days: { day: string; new: number; lost: number; net: number }[]
  top_channels: Ranked[]
  top_employees: Ranked[]
}

function bar(items: Ranked[], color: string) {
  const rows = [...items].reverse()
  return {
    tooltip: {},
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map((r) => r.name) },
    series: [{ type: 'bar', data: rows.map((r) => r.count), itemStyle: { color } }],
  }
}

export default function DashboardPage() {
  const { tr, lang } = useI18n()
  const [range, setRange] = useState<[Dayjs, Dayjs]>(useLastDays(30))
  const { data, error, loading } = useLoad(
    () =>
      get<Dashboard>('/analytics/dashboard', {
        start: range[0].format('YYYY-MM-DD'),
        end: range[1].format('YYYY-MM-DD'),
      }),
    [range[0].valueOf(), range[1].valueOf()],
  )
  const trend = useMemo(
    () =>
      data && {
        tooltip: { trigger: 'axis' },
        legend: { top: 0, data: [tr('新增', 'New'), tr('流失', 'Lost'), tr('净增', 'Net')] },
        grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: data.days.map((d) => d.day.slice(5)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
          { name: tr('新增', 'New'), type: 'line', smooth: true, data: data.days.map((d) => d.new), color: '#07c160' },
          { name: tr('流失', 'Lost'), type: 'line', smooth: true, data: data.days.map((d) => d.lost), color: '#ff4d4f' },
          { name: tr('净增', 'Net'), type: 'bar', data: data.days.map((d) => d.net), color: '#1677ff' },
        ],
      },
    [data, tr],
  )
  return (
    <div>
      <div style={{ display: 'flex', justifyContent: 'space-between', flexWrap: 'wrap', gap: 8, marginBottom: 16 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {tr('数据概览', 'Dashboard')}
        </Typography.Title>
        <DatePicker.RangePicker
          value={range}
          allowClear={false}
          onChange={(v) => v && v[0] && v[1] && setRange([v[0], v[1]])}
        />
      </div>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      {loading && !data && <Spin />}
      {data && (
        <>
          <Row gutter={[16, 16]}>
            {[
              ['total', tr('客户总数', 'Customers'), data.total_customers],
              ['new', tr('新增客户', 'New'), data.new_customers],
              ['lost', tr('流失客户', 'Lost'), data.lost_customers],
              ['net', tr('净增客户', 'Net growth'), data.net_customers],
              ['active', tr('活跃客户', 'Active'), data.active_customers],
            ].map(([key, title, value]) => (
              <Col xs={12} md={8} lg={4} key={key as string}>
                <Card size="small" data-testid={`stat-${key}`}>
                  <Statistic title={title as string} value={value as number} />
                </Card>
              </Col>
            ))}
          </Row>
          <Card title={tr(`每日趋势（${zoneName(data.timezone, lang)}）`, `Trend by day (${zoneName(data.timezone, lang)})`)} style={{ marginTop: 16 }}>
            {trend && <Chart option={trend} />}
          </Card>
          <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
            <Col xs={24} lg={12}>
              <Card title={tr('渠道排行', 'Top channels')}>
                {data.top_channels.length ? (
                  <Chart option={bar(data.top_channels, '#07c160')} height={260} />
                ) : (
                  <Empty
                    description={tr(
                      '该时段没有带渠道参数的新增。创建渠道活码后，扫码添加的客户会按渠道统计。',
                      'No adds with a channel state in this range. Customers adding through channel codes are counted per channel.',
                    )}
                  />
                )}
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card title={tr('员工排行', 'Top employees')}>
                {data.top_employees.length ? (
                  <Chart option={bar(data.top_employees, '#1677ff')} height={260} />
                ) : (
                  <Empty description={tr('该时段没有新增客户。', 'No new customers in this range.')} />
                )}
              </Card>
            </Col>
          </Row>
        </>
      )}
    </div>
  )
}
