// Phrase usage: top corp phrases and uses per employee over days of the corp's time zone.
import { useState } from 'react'
import { Alert, Button, Card, Col, DatePicker, Row, Space, Statistic, Table, Typography } from 'antd'
import { DownloadOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { get, query } from '../../api'
import { useLoad } from '../../hooks'
import { useI18n, zoneName } from '../../i18n'
import { PHRASE_KINDS, type PhraseKind, type PhraseStats } from './shared'

export default function StatsPanel() {
  const { tr, lang } = useI18n()
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().subtract(29, 'day'), dayjs()])
  const params = { since: range[0].format('YYYY-MM-DD'), until: range[1].format('YYYY-MM-DD') }
  const stats = useLoad(() => get<PhraseStats>('/phrases/stats', params), [params.since, params.until])
  const s = stats.data
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="phrase-stats">
      <Space wrap>
        <DatePicker.RangePicker allowClear={false} value={range} onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])} />
        {s && <Typography.Text type="secondary">{tr(`按${zoneName(s.timezone, lang)}计算日期`, `Days in ${zoneName(s.timezone, lang)}`)}</Typography.Text>}
        <Button icon={<DownloadOutlined />} href={`/api/v1/phrases/stats/export${query({ ...params, view: 'phrases' })}`}>
          {tr('导出话术排行', 'Export top phrases')}
        </Button>
        <Button icon={<DownloadOutlined />} href={`/api/v1/phrases/stats/export${query({ ...params, view: 'employees' })}`}>
          {tr('导出员工使用', 'Export uses per employee')}
        </Button>
      </Space>
      {stats.error && <Alert type="error" showIcon message={stats.error} />}
      <Card size="small">
        <Statistic title={tr('使用次数', 'Uses')} value={s?.total ?? 0} loading={stats.loading && !s} />
      </Card>
      <Row gutter={12}>
        <Col xs={24} lg={14}>
          <Card size="small" title={tr('热门企业话术', 'Top corp phrases')}>
            <Table
              size="small"
              rowKey="id"
              pagination={false}
              loading={stats.loading}
              dataSource={s?.top ?? []}
              columns={[
                { title: tr('话术', 'Phrase'), dataIndex: 'title' },
                { title: tr('类型', 'Kind'), dataIndex: 'kind', render: (k: PhraseKind) => tr(...(PHRASE_KINDS[k] ?? [k, k])) },
                { title: tr('文件夹', 'Folder'), dataIndex: 'folder', render: (f: string) => f || tr('未分组', 'No folder') },
                { title: tr('使用次数', 'Uses'), dataIndex: 'uses', align: 'right' },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card size="small" title={tr('员工使用', 'Uses per employee')}>
            <Table
              size="small"
              rowKey="userid"
              pagination={false}
              loading={stats.loading}
              dataSource={s?.employees ?? []}
              columns={[
                { title: tr('员工', 'Employee'), dataIndex: 'name', render: (n: string, e) => (e.userid ? n : tr('未关联员工', 'No employee')) },
                { title: tr('使用次数', 'Uses'), dataIndex: 'uses', align: 'right' },
                { title: tr('使用话术数', 'Phrases used'), dataIndex: 'phrases', align: 'right' },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </Space>
  )
}
