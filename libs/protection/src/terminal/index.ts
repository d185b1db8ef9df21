export { TerminalContext, type TerminalInfo } from './terminal.context';
export { TerminalService } from './terminal.service';
export { Terminal } from './terminal.decorator';
