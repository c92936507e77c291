// 员工排行: employees ranked by completion rate, then radar opens — over one task or a period.
import { useMemo, useState } from 'react'
import { Alert, Button, Card, DatePicker, Empty, Space, Table } from 'antd'
import { DownloadOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { get, query } from '../../api'
import Chart from '../../Chart'
import { useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import { pct, type RankRow } from './shared'

export function RankChart({ rows }: { rows: RankRow[] }) {
  const { tr } = useI18n()
  const top = rows.slice(0, 20)
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { data: [tr('完成率 %', 'Completion %'), tr('打开次数', 'Opens')] },
      grid: { left: 48, right: 48, bottom: 60, top: 40 },
      xAxis: { type: 'category', data: top.map((r) => r.name || r.userid), axisLabel: { rotate: top.length > 8 ? 30 : 0 } },
      yAxis: [
        { type: 'value', max: 100, name: '%' },
        { type: 'value', name: tr('打开', 'Opens'), minInterval: 1 },
      ],
      series: [
        { name: tr('完成率 %', 'Completion %'), type: 'bar', barMaxWidth: 48, data: top.map((r) => pct(r.completion_rate)) },
        { name: tr('打开次数', 'Opens'), type: 'line', yAxisIndex: 1, data: top.map((r) => r.opens) },
      ],
    }),
    [top, tr],
  )
  return <Chart option={option} height={280} />
}

export function RankTable({ rows, period }: { rows: RankRow[]; period?: boolean }) {
  const { tr } = useI18n()
  return (
    <Table<RankRow>
      rowKey="userid"
      size="small"
      dataSource={rows}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      data-testid="leaderboard"
      locale={{ emptyText: <Empty description={tr('还没有数据：任务开始并同步结果后出现排行。', 'No data yet: the ranking appears once tasks run and results sync.')} /> }}
      columns={[
        { title: tr('排名', 'Rank'), dataIndex: 'rank', width: 70 },
        { title: tr('员工', 'Employee'), key: 'name', render: (_: unknown, r) => r.name || r.userid },
        ...(period ? [{ title: tr('任务数', 'Tasks'), dataIndex: 'tasks' }] : []),
        { title: tr('目标数', 'Targets'), dataIndex: 'assigned' },
        { title: tr('已发送', 'Sent'), dataIndex: 'sent' },
        { title: tr('完成率', 'Completion'), dataIndex: 'completion_rate', render: (v: number) => `${pct(v)}%` },
        { title: tr('打开次数', 'Opens'), dataIndex: 'opens' },
      ]}
    />
  )
}

export default function Leaderboard() {
  const { tr } = useI18n()
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().subtract(30, 'day').startOf('day'), dayjs().endOf('day')])
  const params = { since: range[0].toISOString(), until: range[1].toISOString() }
  const board = useLoad(() => get<RankRow[]>('/tasks/leaderboard', params), [params.since, params.until])
  return (
    <Card
      title={tr('员工排行（按完成率、打开次数）', 'Leaderboard (completion, then opens)')}
      extra={
        <Space wrap>
          <DatePicker.RangePicker
            value={range}
            allowClear={false}
            onChange={(v) => v && v[0] && v[1] && setRange([v[0].startOf('day'), v[1].endOf('day')])}
          />
          <Button icon={<DownloadOutlined />} href={`/api/v1/tasks/leaderboard/export${query({ ...params, format: 'xlsx' })}`}>
            {tr('导出', 'Export')}
          </Button>
        </Space>
      }
    >
      {board.error && <Alert type="error" showIcon title={board.error} />}
      {(board.data ?? []).length > 0 && <RankChart rows={board.data ?? []} />}
      <RankTable rows={board.data ?? []} period />
    </Card>
  )
}
