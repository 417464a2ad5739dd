import { Global, Module } from '@nestjs/common';
import { loadSampleConfig, SAMPLE_CONFIG } from './sample-config';

/** Provides the {@link SampleConfig} to every module of the sample app. */
@Global()
@Module({
  providers: [{ provide: SAMPLE_CONFIG, useFactory: () => loadSampleConfig() }],
  exports: [SAMPLE_CONFIG],
})
export class SampleConfigModule {}
